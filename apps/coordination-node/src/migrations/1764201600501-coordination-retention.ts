import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention and erasure (docs/decisions/008-retention-and-erasure.md). The node keeps each routed version's content
 * in one table (the feed shows it from there, since audit facts carry only commitments), and remembers which alerts
 * were erased, so that a late submission or redelivery of one brings nothing of it back.
 */
export class CoordinationRetention1764201600501 implements MigrationInterface {
  name = 'CoordinationRetention1764201600501';

  async up(q: QueryRunner): Promise<void> {
    // alert_id as text, like feed_entries.alert_id, which it is joined with.
    await q.query(`CREATE TABLE coordination.alert_contents (
      alert_id text NOT NULL,
      version int NOT NULL,
      content jsonb NOT NULL,
      cancel_reason text,
      stored_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (alert_id, version)
    )`);
    await q.query(`CREATE TABLE coordination.erased_alerts (
      alert_id text PRIMARY KEY,
      cause text NOT NULL,
      erased_at timestamptz NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE coordination.erased_alerts`);
    await q.query(`DROP TABLE coordination.alert_contents`);
  }
}
