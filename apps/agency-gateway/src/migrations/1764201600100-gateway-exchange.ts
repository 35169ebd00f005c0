import { MigrationInterface, QueryRunner } from 'typeorm';

/** Reference data the gateway owns, the alerts it accepted, and every agency's inbox. */
export class GatewayExchange1764201600100 implements MigrationInterface {
  name = 'GatewayExchange1764201600100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE gateway.agencies (
      id text PRIMARY KEY,
      name text NOT NULL,
      country char(2) NOT NULL,
      kind text NOT NULL CHECK (kind IN ('national-agency', 'regional-centre')),
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE gateway.api_keys (
      key_id text PRIMARY KEY,
      agency_id text NOT NULL REFERENCES gateway.agencies(id),
      role text NOT NULL CHECK (role IN ('agency', 'analyst', 'auditor', 'admin')),
      secret_hash char(64) NOT NULL,
      expires_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE gateway.sharing_groups (
      id text PRIMARY KEY,
      name text NOT NULL,
      members text[] NOT NULL,
      expires_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE gateway.alerts (
      alert_id uuid PRIMARY KEY,
      sender text NOT NULL REFERENCES gateway.agencies(id),
      current_version int NOT NULL,
      state text NOT NULL CHECK (state IN ('active', 'cancelled')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE gateway.alert_versions (
      alert_id uuid NOT NULL REFERENCES gateway.alerts(alert_id),
      version int NOT NULL,
      message_id uuid NOT NULL UNIQUE,
      kind text NOT NULL CHECK (kind IN ('alert', 'update', 'cancel')),
      content jsonb NOT NULL,
      cancel_reason text,
      sender_key_id text NOT NULL,
      received_at timestamptz NOT NULL,
      PRIMARY KEY (alert_id, version)
    )`);
    await q.query(`CREATE TABLE gateway.idempotency_keys (
      sender text NOT NULL,
      idempotency_key text NOT NULL,
      request_hash char(64) NOT NULL,
      alert_id uuid NOT NULL,
      response jsonb NOT NULL,
      outbox_ids bigint[] NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (sender, idempotency_key)
    )`);
    await q.query(`CREATE TABLE gateway.inbox_counters (
      recipient text PRIMARY KEY,
      last_seq bigint NOT NULL
    )`);
    await q.query(`CREATE TABLE gateway.inbox (
      recipient text NOT NULL,
      seq bigint NOT NULL,
      delivery_id uuid NOT NULL UNIQUE,
      alert_id uuid NOT NULL,
      version int NOT NULL,
      kind text NOT NULL,
      sender text NOT NULL,
      alert jsonb,
      cancel_reason text,
      delivered_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (recipient, seq)
    )`);
    await q.query(`CREATE INDEX inbox_alert_idx ON gateway.inbox (alert_id, recipient)`);
    await q.query(`CREATE TABLE gateway.acks (
      id bigserial PRIMARY KEY,
      alert_id uuid NOT NULL,
      version int NOT NULL,
      recipient text NOT NULL,
      status text NOT NULL CHECK (status IN ('received', 'actioned', 'rejected')),
      note text,
      key_id text NOT NULL,
      acked_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX acks_alert_idx ON gateway.acks (alert_id, recipient, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'acks',
      'inbox',
      'inbox_counters',
      'idempotency_keys',
      'alert_versions',
      'alerts',
      'sharing_groups',
      'api_keys',
      'agencies',
    ]) {
      await q.query(`DROP TABLE gateway.${table}`);
    }
  }
}
