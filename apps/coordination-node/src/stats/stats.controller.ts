import { Controller, Get, Query } from '@nestjs/common';
import { Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { StatsQuery } from './stats.query';
import { StatsResponse, StatsService } from './stats.service';

@Roles(Role.Analyst)
@Controller('v1/stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  /**
   * Volumes by sender, country and category over the last hour / 24 h / 7 days, and unacknowledged deliveries,
   * oldest first (`agency` narrows that chase list to one agency's deliveries, sent or received).
   */
  @Get()
  get(@Query() query: StatsQuery): Promise<StatsResponse> {
    return this.stats.stats({ agency: query.agency });
  }
}
