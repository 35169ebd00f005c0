import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEventType } from '@hub/contracts/audit-event';
import { RoutingReason } from '@hub/contracts/policy';
import { RoutingRepository } from '../routing/routing.repository';

/** Alerts submitted in the last hour, 24 hours, 7 days, and in all. */
export interface Volume {
  lastHour: number;
  last24h: number;
  last7d: number;
  total: number;
}

export interface WindowActivity {
  alertsSubmitted: number;
  updates: number;
  cancels: number;
  deliveries: number;
  acks: number;
  correlations: number;
  /** Messages any service dead-lettered (at fault themselves): replay them with `npm run dead-letters`. */
  deadLettered: number;
}

export interface UnacknowledgedDelivery {
  alertId: string;
  version: number;
  kind: string;
  sender: string;
  recipient: string;
  deliveredAt: string;
  ageSeconds: number;
  category: string | null;
  tlp: string | null;
  /** null when the alert is withheld from the centre (or unknown to the feed) */
  headline: string | null;
  redacted: boolean;
}

export interface StatsResponse {
  generatedAt: string;
  windows: { lastHour: WindowActivity; last24h: WindowActivity; last7d: WindowActivity };
  bySender: (Volume & { agencyId: string; country: string | null })[];
  byCountry: (Volume & { country: string })[];
  byCategory: (Volume & { category: string })[];
  unacknowledged: { total: number; oldest: UnacknowledgedDelivery[] };
}

export const CHASE_LIST_LIMIT = 100;

/** Deliveries that carry content and expect an acknowledgement (not cancels, not withdrawals). */
export const ACKABLE_REASONS = [
  RoutingReason.Addressed,
  RoutingReason.Regional,
  RoutingReason.GroupMember,
  RoutingReason.RoomMember,
];

const WINDOW_TYPES: Record<keyof WindowActivity, AuditEventType> = {
  alertsSubmitted: AuditEventType.AlertSubmitted,
  updates: AuditEventType.AlertUpdated,
  cancels: AuditEventType.AlertCancelled,
  deliveries: AuditEventType.AlertDelivered,
  acks: AuditEventType.AlertAcked,
  correlations: AuditEventType.CorrelationFound,
  deadLettered: AuditEventType.MessageDeadLettered,
};

const VOLUME_COLUMNS = `
  count(*) FILTER (WHERE submitted_at > now() - interval '1 hour')::int AS "lastHour",
  count(*) FILTER (WHERE submitted_at > now() - interval '24 hours')::int AS "last24h",
  count(*) FILTER (WHERE submitted_at > now() - interval '7 days')::int AS "last7d",
  count(*)::int AS total`;

/** The sender's country: from the reference replica, else the "CC-" prefix of its id. */
const SENDER_COUNTRY = `COALESCE(ag.record->>'country', CASE WHEN fa.sender ~ '^[A-Z]{2}-' THEN left(fa.sender, 2) END)`;

/** Volumes and the chase list, from the feed's own tables and the routing record. */
@Injectable()
export class StatsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async stats(filter: { agency?: string } = {}): Promise<StatsResponse> {
    const [windows, bySender, byCountry, byCategory, unacknowledged, [{ now }]] = await Promise.all([
      this.windows(),
      this.dataSource.query(
        `SELECT fa.sender AS "agencyId", ${SENDER_COUNTRY} AS country, ${VOLUME_COLUMNS}
         FROM coordination.feed_alerts fa LEFT JOIN coordination.agencies ag ON ag.id = fa.sender
         GROUP BY fa.sender, ag.record ORDER BY total DESC, fa.sender`,
      ),
      this.dataSource.query(
        `SELECT COALESCE(${SENDER_COUNTRY}, '??') AS country, ${VOLUME_COLUMNS}
         FROM coordination.feed_alerts fa LEFT JOIN coordination.agencies ag ON ag.id = fa.sender
         GROUP BY 1 ORDER BY total DESC, country`,
      ),
      this.dataSource.query(
        `SELECT COALESCE(category, 'unknown') AS category, ${VOLUME_COLUMNS}
         FROM coordination.feed_alerts GROUP BY 1 ORDER BY total DESC, category`,
      ),
      this.unacknowledged(filter.agency ?? null),
      this.dataSource.query(`SELECT now() AS now`) as Promise<{ now: Date }[]>,
    ]);
    return { generatedAt: now.toISOString(), windows, bySender, byCountry, byCategory, unacknowledged };
  }

  private async windows(): Promise<StatsResponse['windows']> {
    const rows: { type: string; last_hour: number; last_24h: number; last_7d: number }[] = await this.dataSource.query(
      `SELECT type,
         count(*) FILTER (WHERE at > now() - interval '1 hour')::int AS last_hour,
         count(*) FILTER (WHERE at > now() - interval '24 hours')::int AS last_24h,
         count(*)::int AS last_7d
       FROM coordination.feed_entries WHERE at > now() - interval '7 days' AND type = ANY($1::text[]) GROUP BY type`,
      [Object.values(WINDOW_TYPES)],
    );
    const byType = new Map(rows.map((row) => [row.type, row]));
    const activity = (column: 'last_hour' | 'last_24h' | 'last_7d'): WindowActivity => {
      const counts = {} as WindowActivity;
      for (const [name, type] of Object.entries(WINDOW_TYPES) as [keyof WindowActivity, AuditEventType][])
        counts[name] = byType.get(type)?.[column] ?? 0;
      return counts;
    };
    return { lastHour: activity('last_hour'), last24h: activity('last_24h'), last7d: activity('last_7d') };
  }

  /**
   * The chase list: for each (alert, recipient), the latest delivery if it carried content and no ack of that
   * version or a later one has been seen; oldest first.
   */
  private async unacknowledged(agency: string | null): Promise<StatsResponse['unacknowledged']> {
    const rows = await new RoutingRepository(this.dataSource).unanswered(ACKABLE_REASONS, agency, CHASE_LIST_LIMIT);
    return {
      total: rows[0]?.total ?? 0,
      oldest: rows.map(({ total: _total, withheld, deliveredAt, headline, ...row }) => ({
        ...row,
        deliveredAt: deliveredAt.toISOString(),
        redacted: withheld !== false,
        headline: withheld === false ? headline : null,
      })),
    };
  }
}
