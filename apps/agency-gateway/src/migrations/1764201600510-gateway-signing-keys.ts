import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Origin signatures (docs/signatures.md): agencies' Ed25519 public keys with their validity and revocation dates,
 * each agency's "require signatures" policy, and the signature stored with each version and each delivery.
 */
export class GatewaySigningKeys1764201600510 implements MigrationInterface {
  name = 'GatewaySigningKeys1764201600510';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE gateway.signing_keys (
        kid text PRIMARY KEY,
        agency_id text NOT NULL REFERENCES gateway.agencies(id),
        public_jwk jsonb NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_until timestamptz,
        revoked_at timestamptz,
        revocation_reason text,
        registered_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX signing_keys_agency ON gateway.signing_keys (agency_id, created_at)`);
    await q.query(`
      CREATE TABLE gateway.signing_policies (
        agency_id text PRIMARY KEY REFERENCES gateway.agencies(id),
        require_signatures boolean NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`ALTER TABLE gateway.alert_versions ADD COLUMN signature text`);
    await q.query(`ALTER TABLE gateway.inbox ADD COLUMN signature text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.inbox DROP COLUMN signature`);
    await q.query(`ALTER TABLE gateway.alert_versions DROP COLUMN signature`);
    await q.query(`DROP TABLE gateway.signing_policies`);
    await q.query(`DROP TABLE gateway.signing_keys`);
  }
}
