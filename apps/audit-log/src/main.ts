import 'reflect-metadata';
import { runVerifyCli } from '@hub/merkle/verify-cli';
import { bootstrapHybridApp } from '@hub/platform/bootstrap';
import { loadConfig } from '@hub/platform/config';
import { runServiceMain } from '@hub/platform/service-main';
import { AppModule, SERVICE_NAME } from './app.module';
import { AuditConfig } from './audit.config';
import { auditDataSourceOptions, auditGrants } from './database/data-source';
import { loadCheckpointKey } from './signing/checkpoint-key';

const [command, ...commandArguments] = process.argv.slice(2);

if (command === 'verify') {
  // The auditor's verifier needs only the HTTP API (and optionally a saved checkpoint): no configuration, no
  // database, no Kafka. It shares the binary so that an auditor has one artefact to run.
  void runVerifyCli(commandArguments).then((exitCode) => process.exit(exitCode));
} else {
  runServiceMain<AuditConfig>({
    loadConfig: () => {
      const config = loadConfig(AuditConfig);
      // `migrate` too fails early on an unusable signing key (and a local run creates its key here).
      loadCheckpointKey(config);
      return config;
    },
    dataSourceOptions: (_config, url) => auditDataSourceOptions(url),
    ownerUrl: (config) => config.DATABASE_URL,
    runtimeUrl: (config) => config.databaseUrl,
    grants: auditGrants,
    serve: (config) =>
      bootstrapHybridApp(AppModule.register(config, loadCheckpointKey(config)), {
        serviceName: SERVICE_NAME,
        host: config.HOST,
        port: config.AUDIT_PORT,
        brokers: config.brokers,
        groupId: SERVICE_NAME,
      }),
  });
}
