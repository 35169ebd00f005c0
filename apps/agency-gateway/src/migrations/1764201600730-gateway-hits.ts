import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk hit/no-hit queries (POST /v1/hits, docs/decisions/018-bulk-exchange.md).
 * - gateway.alert_identifiers: the match keys of each version, as keyed hashes (IDENTIFIER_HASH_KEY), written with the
 *   version; a query looks its hashes up here and keeps the rows of each alert's current version only.
 * - gateway.hit_queries: each query, with the keyed hashes it asked (what its bounded audit fact commits to).
 * - gateway.inbox.hit: the notice an owner gets (inbox item kind `hit`), never content.
 * Alerts accepted before this migration are not indexed (their subjects were written before the keys existed).
 */
export class GatewayHits1764201600730 implements MigrationInterface {
  name = 'GatewayHits1764201600730';

  async up(q: QueryRunner): Promise<void> {
    // key_hash is text, like the text[] a query unnests: with char(64) the comparison casts the column, its primary key
    // cannot serve the join, and a nested-loop plan over 10,000 identifiers took seconds (measured: 6.9 s against 31 ms).
    await q.query(`CREATE TABLE gateway.alert_identifiers (
      key_hash text NOT NULL,
      alert_id uuid NOT NULL,
      version int NOT NULL,
      sender text NOT NULL,
      expires_at timestamptz,
      PRIMARY KEY (key_hash, alert_id, version)
    )`);
    await q.query(`CREATE INDEX alert_identifiers_alert_idx ON gateway.alert_identifiers (alert_id)`);
    await q.query(`CREATE TABLE gateway.hit_queries (
      query_id uuid PRIMARY KEY,
      asked_by text NOT NULL,
      key_id text NOT NULL,
      key_hashes text[] NOT NULL,
      hit_count int NOT NULL,
      asked_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`ALTER TABLE gateway.inbox ADD COLUMN hit jsonb`);
    await q.query(`ALTER TABLE gateway.inbox DROP CONSTRAINT inbox_match_has_no_content`);
    await q.query(
      `ALTER TABLE gateway.inbox ADD CONSTRAINT inbox_match_has_no_content CHECK ((kind = 'match') = (match IS NOT NULL) AND (kind = 'hit') = (hit IS NOT NULL) AND (kind NOT IN ('match', 'hit') OR NOT has_content))`,
    );
    await q.query(`DROP VIEW gateway.inbox_items`);
    await q.query(inboxItemsView(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW gateway.inbox_items`);
    await q.query(inboxItemsView(false));
    await q.query(`DELETE FROM gateway.inbox WHERE kind = 'hit'`);
    await q.query(`ALTER TABLE gateway.inbox DROP CONSTRAINT inbox_match_has_no_content`);
    await q.query(`ALTER TABLE gateway.inbox DROP COLUMN hit`);
    await q.query(
      `ALTER TABLE gateway.inbox ADD CONSTRAINT inbox_match_has_no_content CHECK ((kind = 'match') = (match IS NOT NULL) AND (kind <> 'match' OR NOT has_content))`,
    );
    await q.query(`DROP TABLE gateway.hit_queries`);
    await q.query(`DROP TABLE gateway.alert_identifiers`);
  }
}

/**
 * gateway.inbox_items as 1764201600710 (operation rooms) made it — 1764201600600's view plus the room message an item
 * of kind `room-message` shows — with the hit column when `withHit`.
 */
function inboxItemsView(withHit: boolean): string {
  return `CREATE VIEW gateway.inbox_items AS
  SELECT i.recipient, i.seq, i.delivery_id, i.alert_id, i.version, i.kind, i.sender, i.cancel_reason, i.match, i.withdrawn, i.erased,
         i.delivered_at, i.has_content,
         CASE WHEN i.has_content THEN v.content END AS alert,
         CASE WHEN i.has_content AND v.content IS NOT NULL THEN v.signature END AS signature,
         CASE WHEN m.message_id IS NOT NULL THEN jsonb_build_object(
           'roomId', m.room_id, 'messageId', m.message_id, 'cursor', m.seq::text, 'author', m.author, 'text', m.text,
           'postedAt', to_char(m.posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'erased', m.text IS NULL) END AS room_message${withHit ? ', i.hit' : ''}
  FROM gateway.inbox i
  LEFT JOIN gateway.alert_versions v ON v.alert_id = i.alert_id AND v.version = i.version
  LEFT JOIN gateway.room_messages m ON m.message_id = i.room_message_id`;
}
