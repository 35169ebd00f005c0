import { AlertSubmittedMessage } from '@hub/contracts/messages';
import { SqlRunner } from '@hub/database/sql-runner';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { OutboxService } from '@hub/kafka/outbox.service';
import { DeliveredOutcome, WithheldOutcome } from './routing-fact';

/** One routed version as stored: who was sent it (with why and the deliveryId), and who was withheld for what. */
export interface RoutedVersion {
  message: AlertSubmittedMessage;
  delivered: DeliveredOutcome[];
  withheld: WithheldOutcome[];
}

/** What routing must know about a batch before deciding it (lower-case ids throughout). */
export interface RoutingState {
  /** Message ids already routed. */
  processed: Set<string>;
  /** Every agency that received some version of each alert. */
  recipientsOf: Map<string, Set<string>>;
  /** Alerts erased: the node keeps their ids, never their content. */
  erased: Set<string>;
}
/** The latest delivery of an alert to one recipient that no ack has answered yet (the chase list). */
/** Unanswered deliveries counted by recipient and age (the chase list as one chart): see unansweredByAge. */
export interface UnansweredCountRow {
  recipient: string;
  /** index into the ages given */
  ageBucket: number;
  count: number;
}

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
 * The one owner of the routing tables' SQL (coordination.processed_messages, routing_deliveries, routing_withheld,
 * alert_recipients, alert_contents): routing writes them, the chase list and correlation read them, all through here.
 * Takes a SqlRunner, so each call joins the caller's transaction when given one. Routing a batch is two statements
 * whatever its size (stateOf, write): each statement is a round trip, and round trips were the node's main cost.
 */
export class RoutingRepository {
  constructor(private readonly db: SqlRunner) {}

  /** Which messages were routed before, who received each alert, which alerts were erased: one statement. */
  async stateOf(messages: readonly AlertSubmittedMessage[]): Promise<RoutingState> {
    const alertIds = [...new Set(messages.map((m) => m.alertId.toLowerCase()))];
    const rows: { what: 'processed' | 'recipient' | 'erased'; id: string; recipient: string | null }[] =
      await this.db.query(
        `SELECT 'processed' AS what, message_id::text AS id, NULL::text AS recipient FROM coordination.processed_messages WHERE message_id = ANY($1::uuid[])
       UNION ALL
       SELECT 'recipient', alert_id::text, recipient FROM coordination.alert_recipients WHERE alert_id = ANY($2::uuid[])
       UNION ALL
       SELECT 'erased', alert_id, NULL FROM coordination.erased_alerts WHERE alert_id = ANY($3::text[])`,
        [[...new Set(messages.map((m) => m.messageId))], alertIds, alertIds],
      );
    // (PostgreSQL returns uuids in lower case.)
    const state: RoutingState = { processed: new Set(), recipientsOf: new Map(), erased: new Set() };
    for (const row of rows) {
      if (row.what === 'processed') state.processed.add(row.id);
      else if (row.what === 'erased') state.erased.add(row.id);
      else if (row.recipient)
        state.recipientsOf.set(row.id, (state.recipientsOf.get(row.id) ?? new Set()).add(row.recipient));
    }
    return state;
  }

  /**
   * Everything routing writes for a batch, in one statement with no transaction around it (atomic on its own): the
   * claims of its messages (dedup by messageId), the deliveries, the withheld agencies per version, each (alert,
   * recipient)'s first and last version, the content the feed shows, and the outbox rows in their order. Returns the
   * outbox ids. `versions` were decided on a state read before (stateOf): if a concurrent batch (another replica,
   * during a rebalance) claimed one of these messages meanwhile, the statement fails as a whole
   * (`routing_claims_complete`, SQLSTATE 40001) and writes nothing; the caller's retry reads the state again.
   */
  async write(
    versions: readonly RoutedVersion[],
    outgoing: OutgoingMessage[],
    outbox: Pick<OutboxService, 'idsSql' | 'insertSql'>,
  ): Promise<string[]> {
    const delivered = versions.flatMap(({ message, delivered }) => delivered.map((d) => ({ message, ...d })));
    const withheld = versions.filter((v) => v.withheld.length > 0);
    const held = new Map<string, { alertId: string; recipient: string; first: number; last: number }>();
    for (const { message, recipient } of delivered) {
      const key = `${message.alertId.toLowerCase()}\n${recipient}`;
      const row = held.get(key);
      if (row) row.last = Math.max(row.last, message.version);
      else held.set(key, { alertId: message.alertId, recipient, first: message.version, last: message.version });
    }
    const recipients = [...held.values()];
    const messages = versions.map((v) => v.message);
    const rows = outbox.insertSql(outgoing, 'ids.outbox_ids', 'ids', 23);
    const [{ outbox_ids: ids }]: { outbox_ids: string[] }[] = await this.db.query(
      `WITH claimed AS (
         INSERT INTO coordination.processed_messages (message_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING RETURNING 1
       ), complete AS (
         SELECT coordination.routing_claims_complete((SELECT count(*) FROM claimed), $2::int) AS ok
       ), ids AS (
         SELECT ${outbox.idsSql(outgoing.length)} AS outbox_ids
       ), deliveries AS (
         INSERT INTO coordination.routing_deliveries (alert_id, version, recipient, sender, kind, reason, delivery_id)
         SELECT * FROM unnest($3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::uuid[])
       ), withheld AS (
         INSERT INTO coordination.routing_withheld (alert_id, version, sender, kind, withheld)
         SELECT * FROM unnest($10::uuid[], $11::int[], $12::text[], $13::text[], $14::jsonb[])
       ), recipients AS (
         INSERT INTO coordination.alert_recipients (alert_id, recipient, first_version, last_version)
         SELECT * FROM unnest($15::uuid[], $16::text[], $17::int[], $18::int[])
         ON CONFLICT (alert_id, recipient) DO UPDATE SET last_version = EXCLUDED.last_version
       ), contents AS (
         -- The content the feed shows (audit facts carry only commitments); never for an alert already erased.
         INSERT INTO coordination.alert_contents (alert_id, version, content, cancel_reason)
         SELECT m.alert_id, m.version, m.content, m.cancel_reason FROM unnest($19::text[], $20::int[], $21::jsonb[], $22::text[]) AS m(alert_id, version, content, cancel_reason)
         WHERE NOT EXISTS (SELECT 1 FROM coordination.erased_alerts e WHERE e.alert_id = m.alert_id)
         ON CONFLICT DO NOTHING
       ), outbox AS (${rows.sql})
       SELECT outbox_ids::text[] AS outbox_ids FROM ids, complete WHERE complete.ok`,
      [
        messages.map((m) => m.messageId),
        messages.length,
        delivered.map((d) => d.message.alertId),
        delivered.map((d) => d.message.version),
        delivered.map((d) => d.recipient),
        delivered.map((d) => d.message.sender),
        delivered.map((d) => d.message.kind),
        delivered.map((d) => d.reason),
        delivered.map((d) => d.deliveryId),
        withheld.map((v) => v.message.alertId),
        withheld.map((v) => v.message.version),
        withheld.map((v) => v.message.sender),
        withheld.map((v) => v.message.kind),
        withheld.map((v) => JSON.stringify(v.withheld)),
        recipients.map((r) => r.alertId),
        recipients.map((r) => r.recipient),
        recipients.map((r) => r.first),
        recipients.map((r) => r.last),
        messages.map((m) => m.alertId.toLowerCase()),
        messages.map((m) => m.version),
        messages.map((m) => JSON.stringify(m.alert)),
        messages.map((m) => m.cancelReason ?? null),
        ...rows.params,
      ],
    );
    return ids;
  }

  /**
   * The latest delivery's reason for each pair (alert, recipient) asked about: `alertId` to each of `recipients`,
   * and each of `alertIds` to `recipient`. Keys are `${alertId}\n${recipient}`.
   */
  async latestDeliveryReasons(
    one: { alertId: string; recipients: string[] },
    many: { alertIds: string[]; recipient: string },
  ): Promise<Map<string, string>> {
    const rows: { alert_id: string; recipient: string; reason: string }[] = await this.db.query(
      `SELECT DISTINCT ON (alert_id, recipient) alert_id::text, recipient, reason
       FROM coordination.routing_deliveries
       WHERE ((alert_id = $1 AND recipient = ANY($2::text[])) OR (alert_id = ANY($3::uuid[]) AND recipient = $4))
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
         FROM coordination.routing_deliveries
         WHERE ($2::text IS NULL OR sender = $2 OR recipient = $2)
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

  /**
   * The whole chase list (the same rows as unanswered, without a limit) counted by recipient and age: the bucket of
   * a delivery is the index of the first of `ageLimitsSeconds` its age is below, or their count when older than all.
   */
  async unansweredByAge(
    reasons: readonly string[],
    ageLimitsSeconds: readonly number[],
  ): Promise<UnansweredCountRow[]> {
    return this.db.query(
      `WITH latest AS (
         SELECT DISTINCT ON (alert_id, recipient) alert_id, version, recipient, reason, decided_at
         FROM coordination.routing_deliveries
         ORDER BY alert_id, recipient, version DESC
       )
       SELECT l.recipient,
              (SELECT count(*) FROM unnest($2::int[]) AS lim(s)
               WHERE extract(epoch FROM now() - l.decided_at) >= lim.s)::int AS "ageBucket",
              count(*)::int AS count
       FROM latest l
       WHERE l.reason = ANY($1::text[])
         AND NOT EXISTS (
           SELECT 1 FROM coordination.feed_acks k
           WHERE k.alert_id = l.alert_id::text AND k.recipient = l.recipient AND k.version >= l.version)
       GROUP BY 1, 2`,
      [reasons, ageLimitsSeconds],
    );
  }

  /**
   * Deliveries with content since `since`, counted once per (alert, recipient) whatever the versions, by sender and
   * recipient agency: the flows between agencies (the caller maps agencies to states).
   */
  async deliveredPairs(
    reasons: readonly string[],
    since: Date,
  ): Promise<{ sender: string; recipient: string; deliveries: number }[]> {
    return this.db.query(
      `SELECT sender, recipient, count(DISTINCT alert_id)::int AS deliveries
       FROM coordination.routing_deliveries
       WHERE decided_at >= $2 AND reason = ANY($1::text[])
       GROUP BY sender, recipient`,
      [reasons, since],
    );
  }
}
