import { MigrationInterface, QueryRunner } from 'typeorm';
import { credentialReplicaTableSql } from '@hub/auth/credential-replica';

/** Replicas of the reference topics, message dedup, and the routing record (who got which version, and why). */
export class CoordinationRouting1764201600101 implements MigrationInterface {
  name = 'CoordinationRouting1764201600101';

  async up(q: QueryRunner): Promise<void> {
    await q.query(credentialReplicaTableSql('coordination').up);
    await q.query(
      `CREATE TABLE coordination.agencies (id text PRIMARY KEY, record jsonb NOT NULL, updated_at timestamptz NOT NULL)`,
    );
    await q.query(
      `CREATE TABLE coordination.sharing_groups (id text PRIMARY KEY, record jsonb NOT NULL, updated_at timestamptz NOT NULL)`,
    );
    await q.query(`CREATE TABLE coordination.processed_messages (
      message_id uuid PRIMARY KEY,
      processed_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE coordination.alert_recipients (
      alert_id uuid NOT NULL,
      recipient text NOT NULL,
      first_version int NOT NULL,
      last_version int NOT NULL,
      PRIMARY KEY (alert_id, recipient)
    )`);
    await q.query(`CREATE TABLE coordination.routing_decisions (
      alert_id uuid NOT NULL,
      version int NOT NULL,
      recipient text NOT NULL,
      sender text NOT NULL,
      kind text NOT NULL,
      decision text NOT NULL CHECK (decision IN ('delivered', 'withheld')),
      reason text NOT NULL,
      delivery_id uuid,
      decided_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (alert_id, version, recipient)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['routing_decisions', 'alert_recipients', 'processed_messages', 'sharing_groups', 'agencies']) {
      await q.query(`DROP TABLE coordination.${table}`);
    }
    await q.query(credentialReplicaTableSql('coordination').down);
  }
}
