import { IsOptional, Matches } from 'class-validator';
import { AGENCY_ID_PATTERN } from '@hub/contracts/reference';

export class StatsQuery {
  /** limit the chase list to deliveries this agency sent or received (volumes stay regional) */
  @IsOptional()
  @Matches(AGENCY_ID_PATTERN, { message: 'agency must be an agency id such as TJ-DCA or CARICC' })
  agency?: string;
}
