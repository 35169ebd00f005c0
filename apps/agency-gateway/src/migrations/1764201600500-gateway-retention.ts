import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention and erasure (docs/decisions/008-retention-and-erasure.md): each version keeps the salt its audit
 * commitment was made with; each alert its retention end and, once erased, when, why and at whose request. Erased
 * content, salts and identifiers become NULL; ids, versions, parties, times and decisions stay.
 */
export class GatewayRetention1764201600500 implements MigrationInterface {
  name = 'GatewayRetention1764201600500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.alert_versions ALTER COLUMN content DROP NOT NULL`);
    await q.query(`ALTER TABLE gateway.alert_versions ADD COLUMN content_salt bytea, ADD COLUMN commitment char(64)`);
    await q.query(
      `ALTER TABLE gateway.alerts ADD COLUMN retain_until timestamptz, ADD COLUMN erased_at timestamptz, ADD COLUMN erasure jsonb`,
    );
    await q.query(`CREATE INDEX alerts_retention_due ON gateway.alerts (retain_until) WHERE erased_at IS NULL`);
    await q.query(`ALTER TABLE gateway.inbox ADD COLUMN erased boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.inbox DROP COLUMN erased`);
    await q.query(`DROP INDEX gateway.alerts_retention_due`);
    await q.query(`ALTER TABLE gateway.alerts DROP COLUMN retain_until, DROP COLUMN erased_at, DROP COLUMN erasure`);
    await q.query(`ALTER TABLE gateway.alert_versions DROP COLUMN content_salt, DROP COLUMN commitment`);
  }
}
