import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { testEnvironment, withDatabaseClient } from '@hub/testing';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const APPS = ['agency-gateway', 'coordination-node', 'audit-log'] as const;
const SCHEMAS = { 'agency-gateway': 'gateway', 'coordination-node': 'coordination', 'audit-log': 'audit' };

/** A scratch database, so that reverting migrations never touches the one the running services use. */
const scratchUrl = (() => {
  const url = new URL(testEnvironment().databaseUrl);
  url.pathname = '/hub_migration_test';
  return url.toString();
})();

function runMain(app: string, command: string) {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'apps', app, 'main.js'), command], {
    env: { ...process.env, DATABASE_URL: scratchUrl },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${app} ${command} failed: ${result.stderr}`);
  return result.stdout;
}

async function tablesIn(schema: string): Promise<string[]> {
  return withDatabaseClient(scratchUrl, async (client) => {
    const { rows } = await client.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name NOT LIKE '%migrations' ORDER BY 1`,
      [schema],
    );
    return rows.map((row: { table_name: string }) => row.table_name);
  });
}

async function appliedMigrations(schema: string): Promise<number> {
  return withDatabaseClient(scratchUrl, async (client) => {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${schema}"."${schema}_migrations"`);
    return rows[0].n as number;
  });
}

describe('migrations (real PostgreSQL, scratch database)', () => {
  beforeAll(async () => {
    const maintenance = new URL(scratchUrl);
    maintenance.pathname = '/postgres';
    await withDatabaseClient(maintenance.toString(), async (client) => {
      await client.query('DROP DATABASE IF EXISTS hub_migration_test WITH (FORCE)');
      await client.query('CREATE DATABASE hub_migration_test');
    });
  });

  it.each(APPS)('%s: every migration applies, rolls back to nothing, and applies again', async (app) => {
    const schema = SCHEMAS[app];
    runMain(app, 'migrate');
    const applied = await appliedMigrations(schema);
    expect(applied).toBeGreaterThan(0);
    const tables = await tablesIn(schema);
    expect(tables).toContain('outbox');

    for (let i = applied; i > 0; i--) runMain(app, 'migrate:revert');
    expect(await appliedMigrations(schema)).toBe(0);
    expect(await tablesIn(schema)).toEqual([]);

    runMain(app, 'migrate');
    expect(await tablesIn(schema)).toEqual(tables);
  });
});
