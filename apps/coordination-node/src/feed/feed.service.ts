import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEvent, AuditEventType } from '@hub/contracts/audit-event';
import { CoordinationConfig } from '../coordination.config';
import {
  buildFeedEntry,
  classifyAlertEvent,
  FeedAlertClassification,
  FeedEntry,
  FeedEntryBody,
  isFeedEvent,
  withStoredContent,
} from './feed-entry';
import { FEED_CHANNEL } from './feed.notifier';

/** The node runs one feed: every exchange in the region, for the centre's analysts. */
const REGIONAL_FEED = 'regional';
/** How long a submission's feed entry waits for routing to store its content (the stream shows an entry once). */
const CONTENT_WAIT_MS = 30_000;
/** Facts older than this are not waited for (a replay, or facts from before the node kept content). */
const CONTENT_WAIT_MAX_AGE_MS = 120_000;
const CONTENT_TYPES: readonly string[] = [
  AuditEventType.AlertSubmitted,
  AuditEventType.AlertUpdated,
  AuditEventType.AlertCancelled,
];

/** What a batch changes in feed_alerts and feed_acks, written at the end of the batch (see write). */
interface AlertWrites {
  /** Per alert, its newest classification of the batch, and when it was submitted if the batch holds that fact. */
  upserts: Map<string, { classification: FeedAlertClassification; submittedAt: string | null }>;
  /** Per alert, when the batch's (last) cancel fact says it was cancelled. */
  cancels: Map<string, string>;
  /** The batch's acks (feed_acks: the chase list's answers). */
  acks: { eventId: string; alertId: string; version: number; recipient: string; status: string | null; at: string }[];
}

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
   * Stores consecutive audit events in one transaction. Idempotent: an event already stored (same eventId)
   * changes nothing. The feed counter row is locked first, so feed transactions commit one after another,
   * sequence numbers commit in order and a cursor never skips a row that commits later.
   */
  async recordAll(
    events: readonly AuditEvent[],
    heartbeat: () => Promise<void> = async () => undefined,
  ): Promise<void> {
    const candidates = events.filter(isFeedEvent);
    if (candidates.length === 0) return;
    await this.awaitRoutedContent(candidates, heartbeat);
    const stored = await this.dataSource.transaction(async (manager) => {
      const [{ last_seq: head }]: { last_seq: string }[] = await manager.query(
        `SELECT last_seq FROM coordination.feed_counters WHERE feed = $1 FOR UPDATE`,
        [REGIONAL_FEED],
      );
      // What is stored already and what the feed knows of every alert of the batch, in one read after the counter
      // lock (so it sees every feed transaction committed before this one; locked: feed transactions are serial anyway).
      const alertIds = [...new Set(candidates.flatMap((event) => (event.alertId ? [event.alertId] : [])))];
      const [{ known, stored }]: { known: string[]; stored: FeedAlertRow[] }[] = await manager.query(
        `SELECT (SELECT coalesce(array_agg(event_id), '{}') FROM coordination.feed_entries WHERE event_id = ANY($1::text[])) AS known,
                (SELECT coalesce(jsonb_agg(a), '[]') FROM (SELECT * FROM coordination.feed_alerts WHERE alert_id = ANY($2::text[]) FOR UPDATE) a) AS stored`,
        [candidates.map((event) => event.eventId), alertIds],
      );
      const seen = new Set(known);
      const classifications = new Map<string, FeedAlertClassification | null>(alertIds.map((id) => [id, null]));
      for (const row of stored) classifications.set(row.alert_id, toClassification(row));
      const rows: { seq: number; event: AuditEvent; entry: FeedEntryBody }[] = [];
      const writes: AlertWrites = { upserts: new Map(), cancels: new Map(), acks: [] };
      let seq = Number(head);
      for (const event of candidates) {
        if (seen.has(event.eventId)) continue;
        seen.add(event.eventId);
        const entry = await this.apply(manager, event, classifications, writes);
        rows.push({ seq: ++seq, event, entry });
      }
      if (rows.length === 0) return rows;
      await this.write(manager, rows, writes, seq);
      return rows;
    });
    if (stored.length > 0)
      this.logger.debug({ events: stored.length, lastSeq: stored[stored.length - 1].seq }, 'feed entries stored');
  }

  /**
   * One event's effect on the per-alert tables, and its feed entry. `classifications` holds every alert of the
   * batch (read in recordAll, null when the feed does not know it yet) and follows the changes made here; the rows
   * themselves are written once per alert at the end of the batch (`writes`, see write).
   */
  private async apply(
    manager: EntityManager,
    event: AuditEvent,
    classifications: Map<string, FeedAlertClassification | null>,
    writes: AlertWrites,
  ): Promise<FeedEntryBody> {
    const previous = event.alertId ? (classifications.get(event.alertId) ?? null) : null;
    const classification = classifyAlertEvent(event, previous, this.config.REGIONAL_CENTRE_ID);
    if (classification && classification !== previous) {
      // The stored row only moves forward (see write); the cache and the staged row follow the same rule.
      if (!previous || previous.version <= classification.version)
        classifications.set(classification.alertId, classification);
      const staged = writes.upserts.get(classification.alertId);
      if (!staged || staged.classification.version <= classification.version) {
        const submittedAt = event.type === AuditEventType.AlertSubmitted ? event.at : null;
        writes.upserts.set(classification.alertId, { classification, submittedAt: staged?.submittedAt ?? submittedAt });
      }
    }
    if (event.type === AuditEventType.AlertCancelled && event.alertId) writes.cancels.set(event.alertId, event.at);
    if (event.type === AuditEventType.AlertAcked && event.alertId && event.version && event.actor.agencyId) {
      writes.acks.push({
        eventId: event.eventId,
        alertId: event.alertId,
        version: event.version,
        recipient: event.actor.agencyId,
        status: event.reason ?? null,
        at: event.at,
      });
    }
    if (event.type !== AuditEventType.CorrelationFound) return buildFeedEntry(event, classification);
    const related = await this.relatedClassifications(manager, event, classifications);
    return buildFeedEntry(await this.withRecordedIdentifier(manager, event), classification, related);
  }

  /**
   * A correlation fact names its identifier by keyed hash only; the feed shows the identifier the node recorded
   * (coordination.correlations, committed before the fact was published), unless it was erased since.
   */
  private async withRecordedIdentifier(manager: EntityManager, event: AuditEvent): Promise<AuditEvent> {
    const correlationId = event.details?.correlationId;
    if (typeof correlationId !== 'string') return event;
    const [row]: { identifier_kind: string; identifier_key: string }[] = await manager.query(
      `SELECT identifier_kind, identifier_key FROM coordination.correlations WHERE correlation_id::text = $1 AND identifier_key NOT LIKE 'erased:%'`,
      [correlationId],
    );
    const identifier = row ? { kind: row.identifier_kind, key: row.identifier_key } : null;
    return { ...event, details: { ...event.details, identifier } };
  }

  /**
   * The gateway's submission fact and the node's routing (which stores the content the feed shows) travel on different
   * topics, so the fact can arrive first; its entry is streamed once, and would show "content withheld" for good.
   * Waits (heartbeating) until routing has stored the content of every recent content fact of the batch, or the alert
   * was erased, for at most CONTENT_WAIT_MS; then goes on (a page read later joins the content anyway).
   */
  private async awaitRoutedContent(events: readonly AuditEvent[], heartbeat: () => Promise<void>): Promise<void> {
    const wanted = events.filter(
      (e) =>
        CONTENT_TYPES.includes(e.type) &&
        e.alertId &&
        e.version !== undefined &&
        Date.now() - Date.parse(e.at) < CONTENT_WAIT_MAX_AGE_MS,
    );
    if (wanted.length === 0) return;
    const deadline = Date.now() + CONTENT_WAIT_MS;
    for (;;) {
      const [{ missing }]: { missing: number }[] = await this.dataSource.query(
        `SELECT count(*)::int AS missing FROM unnest($1::text[], $2::int[]) AS w(alert_id, version)
         WHERE NOT EXISTS (SELECT 1 FROM coordination.alert_contents c WHERE c.alert_id = w.alert_id AND c.version = w.version)
           AND NOT EXISTS (SELECT 1 FROM coordination.erased_alerts x WHERE x.alert_id = w.alert_id)`,
        [wanted.map((e) => e.alertId), wanted.map((e) => e.version)],
      );
      if (missing === 0 || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
      await heartbeat();
    }
  }

  /** Entries in cursor order, with the content of the alerts the centre may see (see withStoredContent). */
  async page(after: number, limit: number): Promise<FeedEntry[]> {
    const rows: {
      seq: string;
      entry: FeedEntryBody;
      content: Record<string, unknown> | null;
      cancel_reason: string | null;
      erased: boolean;
      withdrawn: boolean;
    }[] = await this.dataSource.query(
      `SELECT f.seq, f.entry, c.content, c.cancel_reason, (e.alert_id IS NOT NULL) AS erased,
              coalesce(a.withheld_from_centre, false) AS withdrawn
         FROM coordination.feed_entries f
         LEFT JOIN coordination.alert_contents c
           ON f.type IN ('alert.submitted', 'alert.updated', 'alert.cancelled') AND c.alert_id = f.alert_id AND c.version = (f.entry->>'version')::int
         LEFT JOIN coordination.erased_alerts e ON e.alert_id = f.alert_id
         LEFT JOIN coordination.feed_alerts a ON a.alert_id = f.alert_id
         WHERE f.seq > $1 ORDER BY f.seq LIMIT $2`,
      [after, limit],
    );
    return rows.map((row) => {
      const stored = row.content ? { content: row.content, cancelReason: row.cancel_reason } : null;
      return { cursor: String(row.seq), ...withStoredContent(row.entry, stored, row.erased, row.withdrawn) };
    });
  }

  /** The cursor of the newest entry, so that a client can start "the last N events" without reading them all. */
  async headCursor(): Promise<string> {
    const [row]: { last_seq: string }[] = await this.dataSource.query(
      `SELECT last_seq FROM coordination.feed_counters WHERE feed = $1`,
      [REGIONAL_FEED],
    );
    return String(row?.last_seq ?? 0);
  }

  /** The stored classification of each alert a correlation names, or this batch's newer one (not written yet). */
  private async relatedClassifications(
    manager: EntityManager,
    event: AuditEvent,
    batch: ReadonlyMap<string, FeedAlertClassification | null>,
  ): Promise<Map<string, FeedAlertClassification>> {
    const alerts = Array.isArray(event.details.alerts) ? (event.details.alerts as { alertId?: unknown }[]) : [];
    const ids = alerts.map((a) => a?.alertId).filter((id): id is string => typeof id === 'string');
    if (ids.length === 0) return new Map();
    const rows: FeedAlertRow[] = await manager.query(
      `SELECT * FROM coordination.feed_alerts WHERE alert_id = ANY($1::text[])`,
      [ids],
    );
    const related = new Map(rows.map((row) => [row.alert_id, toClassification(row)]));
    for (const id of ids) {
      const staged = batch.get(id);
      if (staged) related.set(id, staged);
    }
    return related;
  }

  /**
   * Everything a batch writes, in one statement whatever it holds: each alert's newest classification (versions of one
   * alert arrive in order, on one partition; the guard only keeps a replayed old version harmless), the acks, the
   * entries, the counter and the notification (sent at commit). Cancellations follow in a second statement when the
   * batch has any: they may touch a row the upsert writes, and one statement cannot change a row twice.
   */
  private async write(
    manager: EntityManager,
    rows: { seq: number; event: AuditEvent; entry: FeedEntryBody }[],
    writes: AlertWrites,
    lastSeq: number,
  ): Promise<void> {
    const upserts = [...writes.upserts.values()];
    const column = <T>(of: (u: (typeof upserts)[number]) => T) => upserts.map(of);
    const ack = <T>(of: (a: AlertWrites['acks'][number]) => T) => writes.acks.map(of);
    await manager.query(
      `WITH alerts AS (
         INSERT INTO coordination.feed_alerts (alert_id, sender, version, category, tlp, recipients, withheld_from_centre, headline, submitted_at)
         SELECT u.alert_id, u.sender, u.version, u.category, u.tlp, ARRAY(SELECT jsonb_array_elements_text(u.recipients)), u.withheld, u.headline, u.submitted_at
         FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::jsonb[], $7::boolean[], $8::text[], $9::timestamptz[])
           AS u(alert_id, sender, version, category, tlp, recipients, withheld, headline, submitted_at)
         ON CONFLICT (alert_id) DO UPDATE SET sender = EXCLUDED.sender, version = EXCLUDED.version, category = EXCLUDED.category,
           tlp = EXCLUDED.tlp, recipients = EXCLUDED.recipients, withheld_from_centre = EXCLUDED.withheld_from_centre,
           headline = EXCLUDED.headline, submitted_at = COALESCE(coordination.feed_alerts.submitted_at, EXCLUDED.submitted_at), updated_at = now()
         WHERE coordination.feed_alerts.version <= EXCLUDED.version
       ), acks AS (
         INSERT INTO coordination.feed_acks (event_id, alert_id, version, recipient, status, acked_at)
         SELECT * FROM unnest($10::text[], $11::text[], $12::int[], $13::text[], $14::text[], $15::timestamptz[])
         ON CONFLICT DO NOTHING
       ), entries AS (
         INSERT INTO coordination.feed_entries (seq, event_id, type, at, alert_id, entry)
         SELECT * FROM unnest($16::bigint[], $17::text[], $18::text[], $19::timestamptz[], $20::text[], $21::jsonb[])
       ), counter AS (
         UPDATE coordination.feed_counters SET last_seq = $23 WHERE feed = $22
       )
       SELECT pg_notify($24, $25)`,
      [
        column((u) => u.classification.alertId),
        column((u) => u.classification.sender),
        column((u) => u.classification.version),
        column((u) => u.classification.category),
        column((u) => u.classification.tlp),
        column((u) => JSON.stringify(u.classification.recipients)),
        column((u) => u.classification.withheldFromCentre),
        column((u) => u.classification.headline),
        column((u) => u.submittedAt),
        ack((a) => a.eventId),
        ack((a) => a.alertId),
        ack((a) => a.version),
        ack((a) => a.recipient),
        ack((a) => a.status),
        ack((a) => a.at),
        rows.map((row) => String(row.seq)),
        rows.map((row) => row.event.eventId),
        rows.map((row) => row.event.type),
        rows.map((row) => row.event.at),
        rows.map((row) => row.event.alertId ?? null),
        rows.map((row) => JSON.stringify(row.entry)),
        REGIONAL_FEED,
        lastSeq,
        FEED_CHANNEL,
        String(lastSeq),
      ],
    );
    if (writes.cancels.size > 0) {
      await manager.query(
        `UPDATE coordination.feed_alerts f SET cancelled_at = c.at, updated_at = now()
         FROM unnest($1::text[], $2::timestamptz[]) AS c(alert_id, at) WHERE f.alert_id = c.alert_id`,
        [[...writes.cancels.keys()], [...writes.cancels.values()]],
      );
    }
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
