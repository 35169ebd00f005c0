import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

/** A page of a cursor-ordered list: the inbox, a room's messages. */
export class CursorPageQuery {
  @ApiPropertyOptional({
    description: 'cursor from a previous page (nextCursor), or omitted to start at the beginning',
  })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'after must be a cursor returned by a previous page' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class InboxQuery extends CursorPageQuery {}

export class InboxStreamQuery {
  @ApiPropertyOptional({ description: 'resume after this cursor (the Last-Event-ID header takes precedence)' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'after must be a cursor' })
  after?: string;
}
