import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

const CURSOR = /^\d{1,18}$/;

export class FeedPageQuery {
  /** cursor from a previous page (nextCursor) or a stream event id; omitted = from the beginning */
  @IsOptional()
  @Matches(CURSOR, { message: 'after must be a cursor returned by the feed' })
  after?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class FeedStreamQuery {
  /** resume after this cursor on a first connection (the Last-Event-ID header takes precedence) */
  @IsOptional()
  @Matches(CURSOR, { message: 'after must be a cursor returned by the feed' })
  after?: string;
}
