import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEvent, AuditEventType } from '@hub/contracts/audit-event';
import { CoordinationConfig } from '../coordination.config';
import { buildFeedEntry, classifyAlertEvent, FeedAlertClassification, FeedEntry, FeedEntryBody, isFeedEvent } from './feed-entry';
import { FEED_CHANNEL } from './feed.notifier';

/** The node runs one feed: every exchange in the region, for the centre's analysts. */
const REGIONAL_FEED = 'regional';

interface FeedAlertRow {
  alert_id: string;
  sender: string;
  version: number;
  category: string | null;
  tlp: string | null;
  recipients: string[];
  withheld_from_centre: boolean;
  headline: string | null;
}

/**
 * The analysts' feed: exchange events from the audit topic, stored once each (by eventId) in one gap-free
 * sequence, already reduced to what the centre may see. Content of an alert withheld from the centre never
 * reaches these tables, so no later query or bug can serve it.
 */
@Injectable()
export class FeedService {
  private readonly logger = new Logger(FeedService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: CoordinationConfig,
  ) {}

  /**
   * Idempotent: a redelivered event (same eventId) changes nothing. The feed counter row is locked for the
   * transaction, so sequence numbers commit in order and a cursor never skips a row that commits later.
   */
  async record(event: AuditEvent): Promise<void> {
    if (!isFeedEvent(event)) return;
    const seq = await this.dataSource.transaction(async (manager) => {
      const seen: unknown[] = await manager.query(`SELECT 1 FROM coordination.feed_entries WHERE event_id = $1`, [event.eventId]);
      if (seen.length > 0) return null;
      const previous = event.alertId ? await this.classification(manager, event.alertId) : null;
      const classification = classifyAlertEvent(event, previous, this.config.REGIONAL_CENTRE_ID);
      if (classification && classification !== previous) await this.saveClassification(manager, event, classification);
      if (event.type === AuditEventType.AlertCancelled && event.alertId) {
        await manager.query(`UPDATE coordination.feed_alerts SET cancelled_at = $2, updated_at = now() WHERE alert_id = $1`, [event.alertId, event.at]);
      }
      if (event.type === AuditEventType.AlertAcked && event.alertId && event.version && event.actor.agencyId) {
        await manager.query(
          `INSERT INTO coordination.feed_acks (event_id, alert_id, version, recipient, status, acked_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT DO NOTHING`,
          [event.eventId, event.alertId, event.version, event.actor.agencyId, event.reason ?? null, event.at],
        );
      }
      const related = event.type === AuditEventType.CorrelationFound ? await this.relatedClassifications(manager, event) : new Map();
      const entry = buildFeedEntry(event, classification, related);
      const [{ last_seq: next }]: { last_seq: string }[] = await manager.query(
        `INSERT INTO coordination.feed_counters (feed, last_seq) VALUES ($1, 1)
         ON CONFLICT (feed) DO UPDATE SET last_seq = coordination.feed_counters.last_seq + 1 RETURNING last_seq`,
        [REGIONAL_FEED],
      );
      await manager.query(
        `INSERT INTO coordination.feed_entries (seq, event_id, type, at, alert_id, entry) VALUES ($1, $2, $3, $4, $5, $6)`,
        [next, event.eventId, event.type, event.at, event.alertId ?? null, JSON.stringify(entry)],
      );
      await manager.query(`SELECT pg_notify($1, $2)`, [FEED_CHANNEL, next]);
      return next;
    });
    if (seq !== null) this.logger.debug({ eventId: event.eventId, type: event.type, seq }, 'feed entry stored');
  }

  async page(after: number, limit: number): Promise<FeedEntry[]> {
    const rows: { seq: string; entry: FeedEntryBody }[] = await this.dataSource.query(
      `SELECT seq, entry FROM coordination.feed_entries WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [after, limit],
    );
    return rows.map((row) => ({ cursor: String(row.seq), ...row.entry }));
  }

  /** The cursor of the newest entry, so that a client can start "the last N events" without reading them all. */
  async headCursor(): Promise<string> {
    const [row]: { last_seq: string }[] = await this.dataSource.query(`SELECT last_seq FROM coordination.feed_counters WHERE feed = $1`, [REGIONAL_FEED]);
    return String(row?.last_seq ?? 0);
  }

  private async classification(manager: EntityManager, alertId: string): Promise<FeedAlertClassification | null> {
    const [row]: FeedAlertRow[] = await manager.query(`SELECT * FROM coordination.feed_alerts WHERE alert_id = $1 FOR UPDATE`, [alertId]);
    return row ? toClassification(row) : null;
  }

  private async relatedClassifications(manager: EntityManager, event: AuditEvent): Promise<Map<string, FeedAlertClassification>> {
    const alerts = Array.isArray(event.details.alerts) ? (event.details.alerts as { alertId?: unknown }[]) : [];
    const ids = alerts.map((a) => a?.alertId).filter((id): id is string => typeof id === 'string');
    if (ids.length === 0) return new Map();
    const rows: FeedAlertRow[] = await manager.query(`SELECT * FROM coordination.feed_alerts WHERE alert_id = ANY($1::text[])`, [ids]);
    return new Map(rows.map((row) => [row.alert_id, toClassification(row)]));
  }

  private async saveClassification(manager: EntityManager, event: AuditEvent, c: FeedAlertClassification): Promise<void> {
    const submittedAt = event.type === AuditEventType.AlertSubmitted ? event.at : null;
    // Versions of one alert arrive in order (one partition); the guard only keeps a replayed old version harmless.
    await manager.query(
      `INSERT INTO coordination.feed_alerts (alert_id, sender, version, category, tlp, recipients, withheld_from_centre, headline, submitted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (alert_id) DO UPDATE SET sender = EXCLUDED.sender, version = EXCLUDED.version, category = EXCLUDED.category,
         tlp = EXCLUDED.tlp, recipients = EXCLUDED.recipients, withheld_from_centre = EXCLUDED.withheld_from_centre,
         headline = EXCLUDED.headline, submitted_at = COALESCE(coordination.feed_alerts.submitted_at, EXCLUDED.submitted_at), updated_at = now()
       WHERE coordination.feed_alerts.version <= EXCLUDED.version`,
      [c.alertId, c.sender, c.version, c.category, c.tlp, c.recipients, c.withheldFromCentre, c.headline, submittedAt],
    );
  }
}

function toClassification(row: FeedAlertRow): FeedAlertClassification {
  return {
    alertId: row.alert_id,
    sender: row.sender,
    version: row.version,
    category: row.category,
    tlp: row.tlp,
    recipients: row.recipients,
    withheldFromCentre: row.withheld_from_centre,
    headline: row.headline,
  };
}
