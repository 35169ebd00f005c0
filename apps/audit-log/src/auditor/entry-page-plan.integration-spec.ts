import { testEnvironment, withDatabaseClient } from '@hub/testing';
import { merkleNodesTableSql } from '../migrations/1764201600102-audit-log';
import { entryPageSql, readEntryPage } from './audit-entries.reader';

/**
 * The pages that export and verify read must not depend on the planner's statistics. A copy of the log tables
 * with a large log and no statistics at all (autovacuum off, never analysed: the state of a log written faster
 * than autoanalyze runs) must still be read page by page through the primary key, bounded to the page: no Seq
 * Scan, and no scan (or Sort above it) over the rest of the log, whatever page.
 */
const SCHEMA = 'audit_plan_it';
const ENTRIES = 300_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describe('entry pages on a large log without statistics', () => {
  const env = testEnvironment();
  const asOwner = <T>(work: (client: import('pg').Client) => Promise<T>) => withDatabaseClient(env.databaseUrl, work);

  beforeAll(async () => {
    await asOwner(async (db) => {
      await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await db.query(`CREATE SCHEMA ${SCHEMA}`);
      // The columns and indexes the page reads, as in the audit-log migrations.
      await db.query(`CREATE TABLE ${SCHEMA}.entries (
        seq bigint PRIMARY KEY, event_id text NOT NULL UNIQUE, type text NOT NULL, at timestamptz, actor_agency text,
        alert_id text, recipient text, entry text NOT NULL) WITH (autovacuum_enabled = false)`);
      await db.query(`CREATE INDEX ON ${SCHEMA}.entries (alert_id, seq) WHERE alert_id IS NOT NULL`);
      await db.query(`CREATE INDEX ON ${SCHEMA}.entries (type, seq)`);
      await db.query(merkleNodesTableSql(SCHEMA));
      await db.query(`ALTER TABLE ${SCHEMA}.merkle_nodes SET (autovacuum_enabled = false)`);
      await db.query(`CREATE TABLE ${SCHEMA}.entry_subjects (seq bigint NOT NULL, alert_id text, version int, agency text, decision text, reason text)
        WITH (autovacuum_enabled = false)`);
      await db.query(`CREATE INDEX ON ${SCHEMA}.entry_subjects (alert_id, seq) WHERE alert_id IS NOT NULL`);
      await db.query(`CREATE INDEX ON ${SCHEMA}.entry_subjects (agency, seq) WHERE agency IS NOT NULL`);
      await db.query(`CREATE INDEX ON ${SCHEMA}.entries (actor_agency, seq) WHERE actor_agency IS NOT NULL`);
      await db.query(`CREATE INDEX ON ${SCHEMA}.entries (recipient, seq) WHERE recipient IS NOT NULL`);
      await db.query(
        `INSERT INTO ${SCHEMA}.entries (seq, event_id, type, at, alert_id, entry)
         SELECT i, 'e' || i, 'alert.delivered', now(), 'a' || (i % 1000), repeat('x', 200) FROM generate_series(0, ${ENTRIES - 1}) i`,
      );
      await db.query(
        `INSERT INTO ${SCHEMA}.merkle_nodes (level, idx, hash) SELECT 0, i, sha256(i::text::bytea) FROM generate_series(0, ${ENTRIES - 1}) i`,
      );
      // A fact naming alert a42 among others (an inbox page at seq 5), found only through entry_subjects.
      await db.query(
        `INSERT INTO ${SCHEMA}.entry_subjects (seq, alert_id, version, agency) VALUES (5, 'a42', 1, 'KG-DCS')`,
      );
    });
  }, 120_000);

  afterAll(async () => {
    await asOwner((db) => db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`));
  });

  async function explain({ sql, params }: { sql: string; params: unknown[] }): Promise<PlanNode[]> {
    return asOwner(async (db) => {
      const [{ 'QUERY PLAN': explained }] = (await db.query(`EXPLAIN (FORMAT JSON) ${sql}`, params)).rows;
      return nodes(explained[0].Plan as PlanNode);
    });
  }

  const plan = (request: Parameters<typeof entryPageSql>[0]) => explain(entryPageSql(request, SCHEMA));
  /** The page as the service reads it (entries, and a chunk's leaf hashes as a range of their own). */
  const read = (request: Parameters<typeof entryPageSql>[0]) =>
    asOwner((db) =>
      readEntryPage({ query: async (sql, params) => (await db.query(sql, params)).rows }, request, SCHEMA),
    );

  it.each([0, 150_000, 289_999])(
    'an export or verify chunk after seq %i is a primary-key read bounded to the chunk',
    async (after) => {
      const limit = 10_000;
      const planned = await plan({ filter: {}, afterSeq: after, beforeSeq: ENTRIES, limit });
      expect(planned.filter((node) => node['Node Type'] === 'Seq Scan')).toEqual([]);
      // Every index read of the log is bounded above by the end of the chunk, so whatever sorts or joins sit on top
      // of it handle at most one chunk, never the rest of the log.
      const indexReads = planned.filter(
        (node) => node['Index Cond'] !== undefined && /entries_pkey/.test(JSON.stringify(node)),
      );
      expect(indexReads.length).toBeGreaterThan(0);
      for (const node of indexReads) expect(node['Index Cond']).toContain(`seq <= '${after + limit}'::bigint`);
      // The leaf hashes are the same range of merkle_nodes' primary key, read on their own: bounded to the chunk too.
      const leafHashes = entryPageSql({ filter: {}, afterSeq: after, beforeSeq: ENTRIES, limit }, SCHEMA).leafHashes!;
      const hashReads = await explain(leafHashes);
      expect(hashReads.filter((node) => node['Node Type'] === 'Seq Scan' || node['Node Type'] === 'Sort')).toEqual([]);
      const bounded = hashReads.filter(
        (node) => /merkle_nodes_pkey/.test(JSON.stringify(node)) && node['Index Cond'] !== undefined,
      );
      expect(bounded.length).toBeGreaterThan(0);
      for (const node of bounded)
        expect(node['Index Cond']).toContain(`idx <= '${Math.min(after + limit, ENTRIES - 1)}'::bigint`);
    },
  );

  it.each([
    ['an alert trail', { alertId: 'a42' }],
    ['an agency filter', { agency: 'KG-DCS' }],
  ])('%s reads through the indexes of each place a fact can name it: no Seq Scan', async (_what, filter) => {
    const planned = await plan({ filter, afterSeq: 1000, limit: 100 });
    expect(planned.filter((node) => node['Node Type'] === 'Seq Scan')).toEqual([]);
  });

  it("a trail page holds the alert's own entries and the facts naming it among others, in log order", async () => {
    const { sql, params } = entryPageSql({ filter: { alertId: 'a42' }, limit: 4 }, SCHEMA);
    const rows = await asOwner(async (db) => (await db.query(sql, params)).rows as { seq: string }[]);
    expect(rows.map((row) => row.seq)).toEqual(['5', '42', '1042', '2042']);
    const next = entryPageSql({ filter: { alertId: 'a42' }, afterSeq: 2042, limit: 2 }, SCHEMA);
    const more = await asOwner(async (db) => (await db.query(next.sql, next.params)).rows as { seq: string }[]);
    expect(more.map((row) => row.seq)).toEqual(['3042', '4042']);
  });

  it('reads the rows it plans: a chunk holds exactly the next seqs, with their leaf hashes', async () => {
    const rows = await read({ filter: {}, afterSeq: 149_999, beforeSeq: ENTRIES, limit: 5 });
    expect(rows.map((row) => row.seq)).toEqual(['150000', '150001', '150002', '150003', '150004']);
    // Each row with its own leaf (the test data's hash of its seq), not a neighbour's.
    const expected = await asOwner(
      async (db) => (await db.query(`SELECT encode(sha256('150003'::bytea), 'hex') AS h`)).rows[0].h as string,
    );
    expect(rows.every((row) => Buffer.isBuffer(row.leaf_hash) && row.leaf_hash.length === 32)).toBe(true);
    expect(rows[3].leaf_hash!.toString('hex')).toBe(expected);
  });
});
