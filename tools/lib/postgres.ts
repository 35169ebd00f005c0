import { Client } from 'pg';

/** The hub's database on an existing PostgreSQL server (DATABASE_URL, or the local one on 127.0.0.1:5432). */
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432';

export function databaseUrl(name: string): string {
  return process.env.DATABASE_URL || `${DEFAULT_SERVER}/${name}`;
}

/** Creates the database named in the URL if it does not exist (fresh: drops it first). */
export async function ensureDatabase(url: string, { fresh = false }: { fresh?: boolean } = {}): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const client = new Client({ connectionString: maintenance.toString() });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `cannot reach PostgreSQL at ${maintenance.host}: ${(error as Error).message}. Start it, or set DATABASE_URL.`,
    );
  }
  try {
    if (fresh) {
      await client.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [name],
      );
      await client.query(`DROP DATABASE IF EXISTS "${name}"`);
    }
    const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}
