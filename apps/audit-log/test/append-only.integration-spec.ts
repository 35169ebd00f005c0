import { Client } from 'pg';
import { alertBody, createAgency, expectEventually, queryDatabase, submitAccepted } from '@hub/testing';
import { APPEND_ONLY_TABLES as LOG_TABLES } from '../src/migrations/1764201600102-audit-log';
import { APPEND_ONLY_INDEX_TABLES } from '../src/migrations/1764201600302-audit-entry-subjects';
import { asServiceRole, asSuperuser, checkpoint, CONSUMED_WITHIN_MS, newAuditor } from './audit-test-support';

async function failure(db: Client, sql: string): Promise<string> {
  try {
    await db.query(sql);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected "${sql}" to fail`);
}

const APPEND_ONLY_TABLES = [...LOG_TABLES, ...APPEND_ONLY_INDEX_TABLES];
const UPDATE_SET: Record<string, string> = {
  merkle_nodes: 'hash = hash',
  entries: 'entry = entry',
  entry_subjects: 'seq = seq',
};

const mutations = (table: string) =>
  [
    ['UPDATE', `UPDATE audit.${table} SET ${UPDATE_SET[table] ?? 'tree_size = tree_size'}`],
    ['DELETE', `DELETE FROM audit.${table}`],
    ['TRUNCATE', `TRUNCATE audit.${table}`],
  ] as const;

describe('the log tables only ever grow', () => {
  beforeAll(async () => {
    // Rows in every table (entries and their nodes and seals, an issued checkpoint), so that a statement that
    // is refused would otherwise have changed something: row triggers only fire on rows.
    const auditor = await newAuditor();
    await expectEventually(async () => (await checkpoint(auditor.key)).treeSize > 0, {
      timeoutMs: CONSUMED_WITHIN_MS,
      description: 'a non-empty log',
    });
    // A routing outcome names its candidates in entry_subjects.
    const [sender, recipient] = [await createAgency('TJ'), await createAgency('KG')];
    const { alertId } = await submitAccepted(sender.key, alertBody([recipient.id]));
    await expectEventually(
      async () => (await queryDatabase(`SELECT 1 FROM audit.entry_subjects WHERE alert_id = $1`, [alertId])).length > 0,
      { timeoutMs: CONSUMED_WITHIN_MS, description: 'subjects of a routing outcome indexed' },
    );
  }, 240_000);

  describe('as the service role hub_audit', () => {
    it.each(APPEND_ONLY_TABLES.flatMap((table) => mutations(table).map(([verb, sql]) => [table, verb, sql])))(
      'audit.%s: %s is refused by the grants',
      async (_table, _verb, sql) => {
        const message = await asServiceRole((db) => failure(db, sql));
        expect(message).toMatch(/permission denied/);
      },
    );

    it('may read and insert into every log table, and nothing more', async () => {
      const privileges = await asSuperuser(
        async (db) =>
          (
            await db.query(
              `SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type) AS granted
             FROM information_schema.role_table_grants
             WHERE grantee = 'hub_audit' AND table_schema = 'audit' AND table_name = ANY($1)
             GROUP BY table_name ORDER BY table_name`,
              [[...APPEND_ONLY_TABLES]],
            )
          ).rows,
      );
      expect(privileges).toEqual(
        [...APPEND_ONLY_TABLES].sort().map((table) => ({ table_name: table, granted: 'INSERT,SELECT' })),
      );
      const [{ count }] = await asServiceRole(
        async (db) => (await db.query(`SELECT count(*)::int AS count FROM audit.entries`)).rows,
      );
      expect(count).toBeGreaterThan(0);
    });

    it('cannot switch the triggers off (only the owner may alter the tables)', async () => {
      const message = await asServiceRole((db) =>
        failure(db, `ALTER TABLE audit.entries DISABLE TRIGGER entries_refuse_change`),
      );
      expect(message).toMatch(/must be owner/);
    });
  });

  describe('for a role that holds the privileges (here the owner)', () => {
    it.each(APPEND_ONLY_TABLES.flatMap((table) => mutations(table).map(([verb, sql]) => [table, verb, sql])))(
      'audit.%s: %s is refused by a trigger',
      async (table, verb, sql) => {
        const message = await asSuperuser(async (db) => {
          await db.query('BEGIN');
          try {
            // session_replication_role = replica silences ordinary triggers; these fire ALWAYS.
            await db.query(`SET LOCAL session_replication_role = replica`);
            return await failure(db, sql);
          } finally {
            await db.query('ROLLBACK');
          }
        });
        expect(message).toBe(`audit.${table} is append-only: ${verb} refused`);
      },
    );
  });
});
