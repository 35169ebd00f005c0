import { Controller, Get, Query } from '@nestjs/common';
import { Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { CorrelationQueries, CorrelationView } from './correlation.query-service';
import { CorrelationListQuery } from './correlation.query';

@Roles(Role.Analyst)
@Controller('v1/correlations')
export class CorrelationController {
  constructor(private readonly correlations: CorrelationQueries) {}

  /** Newest first; `before=nextCursor` pages back. Filters: alertId, agency. */
  @Get()
  list(@Query() query: CorrelationListQuery): Promise<{ items: CorrelationView[]; nextCursor: string | null }> {
    return this.correlations.list({
      before: query.before,
      limit: query.limit ?? 50,
      alertId: query.alertId,
      agency: query.agency,
    });
  }
}
