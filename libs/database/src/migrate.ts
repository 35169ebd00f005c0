import { DataSource, DataSourceOptions } from 'typeorm';

export type MigrationCommand = 'migrate' | 'migrate:revert';

/**
 * Runs an app's migrations as the owner connection (never as the app's runtime role). The migrations table
 * lives in the app's schema, so the schema is created first.
 */
export async function runMigrationCommand(
  command: MigrationCommand,
  options: DataSourceOptions & { schema?: string },
  log: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<void> {
  const dataSource = new DataSource({ ...options, logging: ['error', 'migration'] } as DataSourceOptions);
  await dataSource.initialize();
  try {
    if (options.schema) await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    if (command === 'migrate') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      log(
        `${options.schema}: ${applied.length} migration(s) applied${applied.length ? ': ' + applied.map((m) => m.name).join(', ') : ''}`,
      );
    } else {
      await dataSource.undoLastMigration({ transaction: 'each' });
      log(`${options.schema}: last migration reverted`);
    }
  } finally {
    await dataSource.destroy();
  }
}

/** postgres://user:pw@host/db with the user (and password) swapped, for deriving per-app role URLs. */
export function withCredentials(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/**
 * Creates the app's runtime role if missing (needs CREATEROLE on the owner connection) and grants it what the
 * app declares; run after migrations so that grants cover every table.
 */
export async function provisionRuntimeRole(
  ownerOptions: DataSourceOptions,
  runtimeUrl: string,
  grants: (role: string) => string[],
): Promise<void> {
  const parsed = new URL(runtimeUrl);
  const role = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  const dataSource = new DataSource({ ...ownerOptions, migrations: [], entities: [] } as DataSourceOptions);
  await dataSource.initialize();
  try {
    const [{ exists }] = await dataSource.query(`SELECT count(*)::int > 0 AS exists FROM pg_roles WHERE rolname = $1`, [
      role,
    ]);
    const quotedPassword = `'${password.replace(/'/g, "''")}'`;
    if (!exists) await dataSource.query(`CREATE ROLE "${role}" LOGIN PASSWORD ${quotedPassword}`);
    else await dataSource.query(`ALTER ROLE "${role}" LOGIN PASSWORD ${quotedPassword}`);
    const [{ db }] = await dataSource.query(`SELECT current_database() AS db`);
    await dataSource.query(`GRANT CONNECT ON DATABASE "${db}" TO "${role}"`);
    for (const statement of grants(role)) await dataSource.query(statement);
  } finally {
    await dataSource.destroy();
  }
}
