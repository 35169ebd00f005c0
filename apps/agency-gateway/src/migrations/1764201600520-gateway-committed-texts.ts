import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Free text about an alert that the audit log now commits to instead of holding (docs/decisions/008): each ack keeps
 * the salt and commitment of its note; each refused submission its bounded problems, their salt and commitment, keyed
 * by the eventId of its alert.rejected fact, until its retention ends or the alert it concerns is erased. `problems` is
 * the JSON text as committed to, not jsonb: jsonb refuses `\u0000` and lone surrogates, which a refused body's keys
 * may hold, and the bytes must come back exactly as they were committed to.
 */
export class GatewayCommittedTexts1764201600520 implements MigrationInterface {
  name = 'GatewayCommittedTexts1764201600520';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.acks ADD COLUMN note_salt bytea, ADD COLUMN note_commitment char(64)`);
    await q.query(`
      CREATE TABLE gateway.rejections (
        event_id uuid PRIMARY KEY,
        sender text NOT NULL,
        key_id text NOT NULL,
        alert_id uuid,
        problems text,
        problems_salt bytea,
        commitment char(64) NOT NULL,
        rejected_at timestamptz NOT NULL DEFAULT now(),
        retain_until timestamptz NOT NULL,
        erased_at timestamptz,
        CHECK ((erased_at IS NULL) = (problems IS NOT NULL AND problems_salt IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX rejections_retention_due ON gateway.rejections (retain_until) WHERE erased_at IS NULL`);
    await q.query(`CREATE INDEX rejections_alert ON gateway.rejections (alert_id) WHERE alert_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE gateway.rejections`);
    await q.query(`ALTER TABLE gateway.acks DROP COLUMN note_salt, DROP COLUMN note_commitment`);
  }
}
