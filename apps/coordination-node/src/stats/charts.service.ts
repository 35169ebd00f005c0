import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { HubError } from '@hub/platform/errors';
import { RoutingRepository } from '../routing/routing.repository';
import {
  AGE_BUCKETS,
  AGE_LIMITS_SECONDS,
  AgencyFacts,
  CHART_PERIODS,
  ChartPeriod,
  Flow,
  flowsByParty,
  Series,
  seriesByParty,
} from './charts';
import { ACKABLE_REASONS } from './stats.service';

/** GET /v1/stats/charts: the dashboard's four charts as numbers, by state, with the buckets they are counted in. */
export interface ChartsResponse {
  generatedAt: string;
  period: ChartPeriod;
  /** the IANA zone the days and hours are counted in */
  timeZone: string;
  /** the local days (YYYY-MM-DD) or hours (YYYY-MM-DDTHH:00) of the period, oldest first */
  buckets: string[];
  /** alerts submitted in each bucket, by the sender's state (a regional centre under its own id) */
  alertsByState: Series[];
  /** correlations found in each bucket */
  correlations: number[];
  /** deliveries with content since the start of the first bucket, from the sender's state to the recipient's */
  flows: Flow[];
  /** the chase list (every unacknowledged delivery) by the recipient's state and the delivery's age */
  unacknowledged: { ages: readonly string[]; byRecipient: Series[]; total: number };
}

/**
 * The counts behind the dashboard's charts: metadata only (who, when, how many), read from the feed's and the
 * routing record's tables like GET /v1/stats, so no content of a withheld alert is involved.
 */
@Injectable()
export class ChartsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async charts(period: ChartPeriod, requestedZone: string | undefined): Promise<ChartsResponse> {
    const timeZone = canonicalZone(requestedZone ?? 'UTC');
    const { unit, buckets: count, label } = CHART_PERIODS[period];
    const [window] = (await this.dataSource.query(
      `SELECT array_agg(to_char(b, $4) ORDER BY b) AS buckets,
              min(b) AT TIME ZONE $1 AS since, now() AS now
       FROM generate_series(date_trunc($2, now() AT TIME ZONE $1) - ($3::int - 1) * ('1 ' || $2)::interval,
                            date_trunc($2, now() AT TIME ZONE $1), ('1 ' || $2)::interval) AS b`,
      [timeZone, unit, count, label],
    )) as { buckets: string[]; since: Date; now: Date }[];
    const bucketOf = `to_char(date_trunc('${unit}', %s AT TIME ZONE $1), $2)`;
    const routing = new RoutingRepository(this.dataSource);
    const [agencies, alerts, correlations, flows, unanswered] = await Promise.all([
      this.agencies(),
      this.dataSource.query(
        `SELECT sender AS agency, ${bucketOf.replace('%s', 'submitted_at')} AS bucket, count(*)::int AS count
         FROM coordination.feed_alerts WHERE submitted_at >= $3 GROUP BY 1, 2`,
        [timeZone, label, window.since],
      ) as Promise<{ agency: string; bucket: string; count: number }[]>,
      this.dataSource.query(
        `SELECT ${bucketOf.replace('%s', 'found_at')} AS bucket, count(*)::int AS count
         FROM coordination.correlations WHERE found_at >= $3 GROUP BY 1`,
        [timeZone, label, window.since],
      ) as Promise<{ bucket: string; count: number }[]>,
      routing.deliveredPairs(ACKABLE_REASONS, window.since),
      routing.unansweredByAge(ACKABLE_REASONS, AGE_LIMITS_SECONDS),
    ]);
    const correlationCounts = new Map(correlations.map((row) => [row.bucket, row.count]));
    const ages = AGE_BUCKETS.map((_, i) => i);
    return {
      generatedAt: window.now.toISOString(),
      period,
      timeZone,
      buckets: window.buckets,
      alertsByState: seriesByParty(alerts, window.buckets, agencies),
      correlations: window.buckets.map((bucket) => correlationCounts.get(bucket) ?? 0),
      flows: flowsByParty(flows, agencies),
      unacknowledged: {
        ages: AGE_BUCKETS,
        byRecipient: seriesByParty(
          unanswered.map((row) => ({ agency: row.recipient, bucket: row.ageBucket, count: row.count })),
          ages,
          agencies,
        ),
        total: unanswered.reduce((sum, row) => sum + row.count, 0),
      },
    };
  }

  private async agencies(): Promise<Map<string, AgencyFacts>> {
    const rows: { id: string; country: string | null; kind: string | null }[] = await this.dataSource.query(
      `SELECT id, record->>'country' AS country, record->>'kind' AS kind FROM coordination.agencies`,
    );
    return new Map(rows.map((row) => [row.id, { country: row.country, kind: row.kind }]));
  }
}

/**
 * The zone as IANA names it (Intl knows the same database PostgreSQL does); an unknown zone is the caller's error.
 * Only names reach the SQL, as parameters.
 */
export function canonicalZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw HubError.validation([{ path: 'tz', message: 'must be an IANA time zone such as Asia/Almaty' }]);
  }
}
