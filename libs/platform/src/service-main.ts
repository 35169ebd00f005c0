import { DataSourceOptions } from 'typeorm';
import { HubService } from '@hub/contracts/topics';
import { MigrationCommand, provisionRuntimeRole, runMigrationCommand } from '@hub/database/migrate';
import { provisionKafka } from '@hub/kafka/kafka-provisioning';
import { startTracing } from '@hub/observability/tracing';
import { HubBaseConfig } from './base.config';

export interface ServiceMain<C extends HubBaseConfig> {
  service: HubService;
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
 * provisions the runtime role, then (as the Kafka admin, when KAFKA_ADMIN_PASSWORD is set) creates the topics and
 * sets the app's ACLs; `main.js migrate:revert` undoes the last migration.
 */
export function runServiceMain<C extends HubBaseConfig>(main: ServiceMain<C>, argv = process.argv.slice(2)): void {
  const command = argv[0] ?? 'serve';
  const run = async (): Promise<void> => {
    const config = main.loadConfig();
    if (command === 'migrate' || command === 'migrate:revert') {
      const owner = main.dataSourceOptions(config, main.ownerUrl(config));
      await runMigrationCommand(command as MigrationCommand, owner);
      if (command === 'migrate') {
        await provisionRuntimeRole(owner, main.runtimeUrl(config), main.grants);
        await migrateKafka(main.service, config);
      }
      return;
    }
    if (command !== 'serve')
      throw new Error(`unknown command "${command}" (expected serve, migrate or migrate:revert)`);
    // Before the app is built, so that every span and log line of the service is in the provider's hands.
    startTracing(main.service);
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

async function migrateKafka(service: HubService, config: HubBaseConfig): Promise<void> {
  const admin = config.kafkaAdminCredentials;
  if (!admin) {
    process.stdout.write(
      `${service}: KAFKA_ADMIN_PASSWORD is not set, so Kafka topics and ACLs were left as they are\n`,
    );
    return;
  }
  await provisionKafka({
    service,
    brokers: config.brokers,
    admin,
    tls: config.kafkaTls,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS,
    contentRetentionMs: config.KAFKA_CONTENT_RETENTION_MS,
  });
}
