import { Controller, Get, Query } from '@nestjs/common';
import { Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { ChartsQuery } from './charts.query';
import { ChartsResponse, ChartsService } from './charts.service';
import { StatsQuery } from './stats.query';
import { StatsResponse, StatsService } from './stats.service';

@Roles(Role.Analyst)
@Controller('v1/stats')
export class StatsController {
  constructor(
    private readonly stats: StatsService,
    private readonly chartsService: ChartsService,
  ) {}

  /**
   * Volumes by sender, country and category over the last hour / 24 h / 7 days, and unacknowledged deliveries,
   * oldest first (`agency` narrows that chase list to one agency's deliveries, sent or received).
   */
  @Get()
  get(@Query() query: StatsQuery): Promise<StatsResponse> {
    return this.stats.stats({ agency: query.agency });
  }

  /**
   * The dashboard's charts as numbers, by state: alerts per day (7d) or hour (24h) in the reader's zone, correlations
   * per bucket, deliveries between states over the period, and unacknowledged deliveries by recipient state and age.
   */
  @Get('charts')
  charts(@Query() query: ChartsQuery): Promise<ChartsResponse> {
    return this.chartsService.charts(query.period ?? '7d', query.tz);
  }
}
