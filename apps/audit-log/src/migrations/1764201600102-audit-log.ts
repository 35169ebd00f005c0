import { MigrationInterface, QueryRunner } from 'typeorm';
import { credentialReplicaTableSql } from '@hub/auth/credential-replica';

/** The tables that only ever grow: the runtime role may INSERT and SELECT, and triggers refuse everything else. */
export const APPEND_ONLY_TABLES = ['entries', 'merkle_nodes', 'tree_heads', 'checkpoints'] as const;
export type AppendOnlyTable = (typeof APPEND_ONLY_TABLES)[number];

/** Complete-subtree hashes (see libs/merkle node-store.ts); `schema` lets store tests build a scratch copy. */
export function merkleNodesTableSql(schema: string): string {
  return `CREATE TABLE "${schema}".merkle_nodes (
    level int NOT NULL CHECK (level >= 0 AND level < 63),
    idx bigint NOT NULL CHECK (idx >= 0),
    hash bytea NOT NULL CHECK (octet_length(hash) = 32),
    PRIMARY KEY (level, idx)
  )`;
}

/**
 * The tamper-evident audit log (see docs/decisions/010-audit-integrity.md):
 * - entries: one row per audit event, seq 0, 1, 2, … in one total order; `entry` holds canonicalJson of the
 *   entry object, i.e. exactly the bytes the Merkle leaf hashes. The other columns are copies for querying.
 * - merkle_nodes: the RFC 6962 tree over the entries, as complete subtrees written at append time.
 * - tree_heads: the service's signed seal of every tree size it produced (one per append transaction), so that
 *   it only ever builds on and certifies a tree it wrote itself.
 * - checkpoints: every signed tree head issued to an auditor.
 * UPDATE, DELETE and TRUNCATE are refused by grants (data-source.ts) and, for anyone else, by triggers that fire
 * even under session_replication_role = replica (ENABLE ALWAYS).
 */
export class AuditLog1764201600102 implements MigrationInterface {
  name = 'AuditLog1764201600102';

  async up(q: QueryRunner): Promise<void> {
    await q.query(credentialReplicaTableSql('audit').up);
    await q.query(`CREATE TABLE audit.entries (
      seq bigint PRIMARY KEY CHECK (seq >= 0),
      event_id text NOT NULL UNIQUE,
      type text NOT NULL,
      at timestamptz,
      actor_agency text,
      actor_key_id text,
      actor_role text,
      actor_service text,
      alert_id text,
      version int,
      recipient text,
      decision text,
      reason text,
      entry text NOT NULL
    )`);
    await q.query(`CREATE INDEX entries_by_alert ON audit.entries (alert_id, seq) WHERE alert_id IS NOT NULL`);
    await q.query(`CREATE INDEX entries_by_type ON audit.entries (type, seq)`);
    await q.query(
      `CREATE INDEX entries_by_actor_agency ON audit.entries (actor_agency, seq) WHERE actor_agency IS NOT NULL`,
    );
    await q.query(`CREATE INDEX entries_by_recipient ON audit.entries (recipient, seq) WHERE recipient IS NOT NULL`);
    await q.query(`CREATE INDEX entries_by_time ON audit.entries (at, seq)`);
    await q.query(merkleNodesTableSql('audit'));
    await q.query(`CREATE TABLE audit.tree_heads (
      tree_size bigint PRIMARY KEY CHECK (tree_size > 0),
      root_hash text NOT NULL,
      signed_at text NOT NULL,
      key_id text NOT NULL,
      signature text NOT NULL
    )`);
    await q.query(`CREATE TABLE audit.checkpoints (
      id bigserial PRIMARY KEY,
      tree_size bigint NOT NULL CHECK (tree_size >= 0),
      root_hash text NOT NULL,
      signed_at text NOT NULL,
      key_id text NOT NULL,
      signature text NOT NULL,
      requested_by text,
      issued_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE FUNCTION audit.refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit.% is append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'The audit log, its Merkle tree, tree heads and checkpoints only ever grow.';
      END
    $$`);
    for (const table of APPEND_ONLY_TABLES) {
      await q.query(`REVOKE ALL ON audit.${table} FROM PUBLIC`);
      await q.query(
        `CREATE TRIGGER ${table}_refuse_change BEFORE UPDATE OR DELETE ON audit.${table} FOR EACH ROW EXECUTE FUNCTION audit.refuse_log_change()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_refuse_truncate BEFORE TRUNCATE ON audit.${table} FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_log_change()`,
      );
      await q.query(`ALTER TABLE audit.${table} ENABLE ALWAYS TRIGGER ${table}_refuse_change`);
      await q.query(`ALTER TABLE audit.${table} ENABLE ALWAYS TRIGGER ${table}_refuse_truncate`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    // DROP is not UPDATE, DELETE or TRUNCATE: the owner can still remove the whole log on purpose.
    for (const table of [...APPEND_ONLY_TABLES].reverse()) await q.query(`DROP TABLE audit.${table}`);
    await q.query(`DROP FUNCTION audit.refuse_log_change()`);
    await q.query(credentialReplicaTableSql('audit').down);
  }
}
