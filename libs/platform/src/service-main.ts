import { DataSourceOptions } from 'typeorm';
import { MigrationCommand, provisionRuntimeRole, runMigrationCommand } from '@hub/database/migrate';

export interface ServiceMain<C> {
  loadConfig: () => C;
  /** DataSource options for a given connection URL (owner for migrations, runtime role when serving). */
  dataSourceOptions: (config: C, url: string) => DataSourceOptions;
  ownerUrl: (config: C) => string;
  runtimeUrl: (config: C) => string;
  /** GRANT statements for the runtime role, run after migrations. */
  grants: (role: string) => string[];
  serve: (config: C) => Promise<unknown>;
}

/**
 * One entry point per app binary:  `main.js` serves, `main.js migrate` applies migrations as the owner and
 * provisions the runtime role, `main.js migrate:revert` undoes the last one.
 */
export function runServiceMain<C>(main: ServiceMain<C>, argv = process.argv.slice(2)): void {
  const command = argv[0] ?? 'serve';
  const run = async (): Promise<void> => {
    const config = main.loadConfig();
    if (command === 'migrate' || command === 'migrate:revert') {
      const owner = main.dataSourceOptions(config, main.ownerUrl(config));
      await runMigrationCommand(command as MigrationCommand, owner);
      if (command === 'migrate') await provisionRuntimeRole(owner, main.runtimeUrl(config), main.grants);
      return;
    }
    if (command !== 'serve') throw new Error(`unknown command "${command}" (expected serve, migrate or migrate:revert)`);
    await main.serve(config);
  };
  run().then(
    () => {
      if (command !== 'serve') process.exit(0);
    },
    (error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
