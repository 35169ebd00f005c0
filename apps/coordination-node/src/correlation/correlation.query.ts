import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { AGENCY_ID_PATTERN } from '@hub/contracts/reference';

export class CorrelationListQuery {
  /** nextCursor of a previous page: the list is newest first, this continues with older correlations */
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'before must be a cursor returned by a previous page' })
  before?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  /** only correlations involving this alert */
  @IsOptional()
  @IsUUID()
  alertId?: string;

  /** only correlations involving this agency */
  @IsOptional()
  @Matches(AGENCY_ID_PATTERN, { message: 'agency must be an agency id such as TJ-DCA or CARICC' })
  agency?: string;
}
