import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The analysts' monitoring data: the feed of exchange events (one gap-free sequence, fed from the audit topic),
 * what the feed knows about each alert and each ack, and the cross-agency correlation index.
 */
export class CoordinationMonitoring1764201600201 implements MigrationInterface {
  name = 'CoordinationMonitoring1764201600201';

  async up(q: QueryRunner): Promise<void> {
    // One row per feed; locked by every insert so that sequence numbers commit in order (see FeedService).
    await q.query(`CREATE TABLE coordination.feed_counters (feed text PRIMARY KEY, last_seq bigint NOT NULL)`);
    await q.query(`INSERT INTO coordination.feed_counters (feed, last_seq) VALUES ('regional', 0)`);
    await q.query(`CREATE TABLE coordination.feed_entries (
      seq bigint PRIMARY KEY,
      event_id text NOT NULL UNIQUE,
      type text NOT NULL,
      at timestamptz NOT NULL,
      alert_id text,
      entry jsonb NOT NULL,
      stored_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX feed_entries_at ON coordination.feed_entries (at)`);
    await q.query(`CREATE INDEX feed_entries_alert ON coordination.feed_entries (alert_id, seq)`);
    // Never holds content of an alert withheld from the centre: the CHECK makes that a database rule.
    await q.query(`CREATE TABLE coordination.feed_alerts (
      alert_id text PRIMARY KEY,
      sender text NOT NULL,
      version int NOT NULL,
      category text,
      tlp text,
      recipients text[] NOT NULL DEFAULT '{}',
      withheld_from_centre boolean NOT NULL,
      headline text,
      submitted_at timestamptz,
      cancelled_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT feed_alerts_no_withheld_content CHECK (NOT withheld_from_centre OR headline IS NULL)
    )`);
    await q.query(`CREATE INDEX feed_alerts_submitted_at ON coordination.feed_alerts (submitted_at)`);
    await q.query(`CREATE TABLE coordination.feed_acks (
      event_id text PRIMARY KEY,
      alert_id text NOT NULL,
      version int NOT NULL,
      recipient text NOT NULL,
      status text,
      acked_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX feed_acks_alert_recipient ON coordination.feed_acks (alert_id, recipient, version)`);
    // The chase list reads each (alert, recipient)'s latest delivery.
    await q.query(
      `CREATE INDEX routing_decisions_latest_delivered ON coordination.routing_decisions (alert_id, recipient, version DESC) WHERE decision = 'delivered'`,
    );

    await q.query(`CREATE TABLE coordination.correlation_indexed_versions (
      alert_id uuid NOT NULL,
      version int NOT NULL,
      indexed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (alert_id, version)
    )`);
    await q.query(`CREATE TABLE coordination.correlation_alerts (
      alert_id uuid PRIMARY KEY,
      sender text NOT NULL,
      status text NOT NULL,
      tlp text NOT NULL,
      recipients text[] NOT NULL,
      version int NOT NULL,
      cancelled boolean NOT NULL DEFAULT false
    )`);
    // Primary key (kind, key, alert) is also the lookup index: matching reads one key's rows, never the table.
    await q.query(`CREATE TABLE coordination.correlation_identifiers (
      identifier_kind text NOT NULL,
      identifier_key text NOT NULL,
      alert_id uuid NOT NULL,
      sender text NOT NULL,
      status text NOT NULL,
      indexed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (identifier_kind, identifier_key, alert_id)
    )`);
    await q.query(
      `CREATE INDEX correlation_identifiers_recent ON coordination.correlation_identifiers (identifier_kind, identifier_key, status, indexed_at DESC)`,
    );
    await q.query(`CREATE INDEX correlation_identifiers_alert ON coordination.correlation_identifiers (alert_id)`);
    await q.query(`CREATE TABLE coordination.correlations (
      id bigserial PRIMARY KEY,
      correlation_id uuid NOT NULL UNIQUE,
      alert_id uuid NOT NULL,
      version int NOT NULL,
      sender text NOT NULL,
      identifier_kind text NOT NULL,
      identifier_key text NOT NULL,
      alerts jsonb NOT NULL,
      alert_ids text[] NOT NULL,
      agencies text[] NOT NULL,
      restricted boolean NOT NULL,
      withheld_from_centre boolean NOT NULL,
      notices jsonb NOT NULL,
      found_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (alert_id, identifier_kind, identifier_key)
    )`);
    await q.query(`CREATE INDEX correlations_alert_ids ON coordination.correlations USING gin (alert_ids)`);
    await q.query(`CREATE INDEX correlations_agencies ON coordination.correlations USING gin (agencies)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'correlations',
      'correlation_identifiers',
      'correlation_alerts',
      'correlation_indexed_versions',
      'feed_acks',
      'feed_alerts',
      'feed_entries',
      'feed_counters',
    ]) {
      await q.query(`DROP TABLE coordination.${table}`);
    }
    await q.query(`DROP INDEX coordination.routing_decisions_latest_delivered`);
  }
}
