import { AlertSubmittedMessage } from '@hub/contracts/messages';
import { RoutingDecision } from '@hub/contracts/policy';
import { SqlRunner } from '@hub/database/sql-runner';

/** One candidate's decision for one version, as recorded. */
export interface RecordedDecision {
  message: AlertSubmittedMessage;
  decision: RoutingDecision;
  deliveryId: string | null;
}

/** The latest delivery of an alert to one recipient that no ack has answered yet (the chase list). */
export interface UnansweredDeliveryRow {
  alertId: string;
  version: number;
  kind: string;
  sender: string;
  recipient: string;
  deliveredAt: Date;
  ageSeconds: number;
  category: string | null;
  tlp: string | null;
  headline: string | null;
  withheld: boolean | null;
  total: number;
}

/**
 * The one owner of the routing tables' SQL (coordination.processed_messages, routing_decisions, alert_recipients,
 * alert_contents): routing writes them, the chase list and correlation read them, all through here. Takes a
 * SqlRunner, so each call joins the caller's transaction when given one. A constant number of statements per
 * batch, whatever its size: each statement is a round trip, and round trips were the node's main cost.
 */
export class RoutingRepository {
  constructor(private readonly db: SqlRunner) {}

  /** The messages not seen before (dedup by messageId); a duplicate within the batch counts once. */
  async claimUnseen(messages: readonly AlertSubmittedMessage[]): Promise<AlertSubmittedMessage[]> {
    const fresh: { message_id: string }[] = await this.db.query(
      `INSERT INTO coordination.processed_messages (message_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING RETURNING message_id::text`,
      [messages.map((m) => m.messageId)],
    );
    // (PostgreSQL returns uuids in lower case.)
    const unseen = new Set(fresh.map((row) => row.message_id));
    return messages.filter((m) => unseen.delete(m.messageId.toLowerCase()));
  }

  /** Every agency that received some version of each alert (lower-case alert id → agencies). */
  async recipientsOf(alertIds: readonly string[]): Promise<Map<string, Set<string>>> {
    const rows: { alert_id: string; recipient: string }[] = await this.db.query(
      `SELECT alert_id::text, recipient FROM coordination.alert_recipients WHERE alert_id = ANY($1::uuid[])`,
      [[...new Set(alertIds)]],
    );
    const recipients = new Map<string, Set<string>>();
    for (const row of rows) recipients.set(row.alert_id, (recipients.get(row.alert_id) ?? new Set()).add(row.recipient));
    return recipients;
  }

  /** The erased alerts among these (lower-case ids): the node keeps their ids, never their content. */
  async erasedAmong(alertIds: readonly string[]): Promise<Set<string>> {
    const rows: { alert_id: string }[] = await this.db.query(`SELECT alert_id FROM coordination.erased_alerts WHERE alert_id = ANY($1::text[])`, [
      [...new Set(alertIds.map((id) => id.toLowerCase()))],
    ]);
    return new Set(rows.map((row) => row.alert_id));
  }

  /** Every candidate's decision, and for each (alert, recipient) delivered the first and last version it got. */
  async record(decided: readonly RecordedDecision[]): Promise<void> {
    await this.db.query(
      `INSERT INTO coordination.routing_decisions (alert_id, version, recipient, sender, kind, decision, reason, delivery_id)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[])`,
      [
        decided.map((d) => d.message.alertId),
        decided.map((d) => d.message.version),
        decided.map((d) => d.decision.recipient),
        decided.map((d) => d.message.sender),
        decided.map((d) => d.message.kind),
        decided.map((d) => d.decision.decision),
        decided.map((d) => d.decision.reason),
        decided.map((d) => d.deliveryId),
      ],
    );
    const held = new Map<string, { alertId: string; recipient: string; first: number; last: number }>();
    for (const { message, decision, deliveryId } of decided) {
      if (!deliveryId) continue;
      const key = `${message.alertId}\n${decision.recipient}`;
      const row = held.get(key);
      if (row) row.last = Math.max(row.last, message.version);
      else held.set(key, { alertId: message.alertId, recipient: decision.recipient, first: message.version, last: message.version });
    }
    if (held.size === 0) return;
    const rows = [...held.values()];
    await this.db.query(
      `INSERT INTO coordination.alert_recipients (alert_id, recipient, first_version, last_version)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[])
       ON CONFLICT (alert_id, recipient) DO UPDATE SET last_version = EXCLUDED.last_version`,
      [rows.map((r) => r.alertId), rows.map((r) => r.recipient), rows.map((r) => r.first), rows.map((r) => r.last)],
    );
  }

  /** The content the feed shows (audit facts carry only commitments); never for an alert already erased. */
  async storeContents(messages: readonly AlertSubmittedMessage[]): Promise<void> {
    await this.db.query(
      `INSERT INTO coordination.alert_contents (alert_id, version, content, cancel_reason)
       SELECT m.alert_id, m.version, m.content, m.cancel_reason FROM unnest($1::text[], $2::int[], $3::jsonb[], $4::text[]) AS m(alert_id, version, content, cancel_reason)
       WHERE NOT EXISTS (SELECT 1 FROM coordination.erased_alerts e WHERE e.alert_id = m.alert_id)
       ON CONFLICT DO NOTHING`,
      [messages.map((m) => m.alertId.toLowerCase()), messages.map((m) => m.version), messages.map((m) => JSON.stringify(m.alert)), messages.map((m) => m.cancelReason ?? null)],
    );
  }

  /**
   * The latest delivery's reason for each pair (alert, recipient) asked about: `alertId` to each of `recipients`,
   * and each of `alertIds` to `recipient`. Keys are `${alertId}\n${recipient}`.
   */
  async latestDeliveryReasons(one: { alertId: string; recipients: string[] }, many: { alertIds: string[]; recipient: string }): Promise<Map<string, string>> {
    const rows: { alert_id: string; recipient: string; reason: string }[] = await this.db.query(
      `SELECT DISTINCT ON (alert_id, recipient) alert_id::text, recipient, reason
       FROM coordination.routing_decisions
       WHERE decision = 'delivered'
         AND ((alert_id = $1 AND recipient = ANY($2::text[])) OR (alert_id = ANY($3::uuid[]) AND recipient = $4))
       ORDER BY alert_id, recipient, version DESC`,
      [one.alertId, one.recipients, many.alertIds, many.recipient],
    );
    return new Map(rows.map((row) => [`${row.alert_id}\n${row.recipient}`, row.reason]));
  }

  /**
   * The chase list: for each (alert, recipient), the latest delivery if its reason is one of `reasons` and no ack of
   * that version or a later one has been seen, oldest first, with what the feed knows of the alert.
   */
  async unanswered(reasons: readonly string[], agency: string | null, limit: number): Promise<UnansweredDeliveryRow[]> {
    return this.db.query(
      `WITH latest AS (
         SELECT DISTINCT ON (alert_id, recipient) alert_id, version, recipient, sender, kind, reason, decided_at
         FROM coordination.routing_decisions
         WHERE decision = 'delivered' AND ($2::text IS NULL OR sender = $2 OR recipient = $2)
         ORDER BY alert_id, recipient, version DESC
       )
       SELECT l.alert_id::text AS "alertId", l.version, l.kind, l.sender, l.recipient, l.decided_at AS "deliveredAt",
              GREATEST(0, floor(extract(epoch FROM now() - l.decided_at)))::int AS "ageSeconds",
              fa.category, fa.tlp, COALESCE(fa.headline, c.content->>'headline') AS headline, fa.withheld_from_centre AS withheld,
              count(*) OVER ()::int AS total
       FROM latest l LEFT JOIN coordination.feed_alerts fa ON fa.alert_id = l.alert_id::text
       -- the headline of the version the feed knows (facts carry no content since commitments; erased = no row)
       LEFT JOIN coordination.alert_contents c ON c.alert_id = fa.alert_id AND c.version = fa.version
       WHERE l.reason = ANY($1::text[])
         AND NOT EXISTS (
           SELECT 1 FROM coordination.feed_acks k
           WHERE k.alert_id = l.alert_id::text AND k.recipient = l.recipient AND k.version >= l.version)
       ORDER BY l.decided_at, l.alert_id, l.recipient
       LIMIT $3`,
      [reasons, agency, limit],
    );
  }
}
