import 'reflect-metadata';
import { bootstrapHybridApp } from '@hub/platform/bootstrap';
import { loadConfig } from '@hub/platform/config';
import { mountOpenApi } from '@hub/platform/openapi';
import { runServiceMain } from '@hub/platform/service-main';
import { AppModule, SERVICE_NAME } from './app.module';
import { AuditConfig } from './audit.config';
import { auditDataSourceOptions, auditGrants } from './database/data-source';
import { loadCheckpointKey } from './signing/checkpoint-key';

/** The audit-log service (and its `migrate` command). */
export function runAuditLogService(): void {
  runServiceMain<AuditConfig>({
    service: SERVICE_NAME,
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
        service: SERVICE_NAME,
        host: config.HOST,
        port: config.AUDIT_PORT,
        https: config.https,
        brokers: config.brokers,
        credentials: config.kafkaCredentials,
        tls: config.kafkaTls,
        groupId: SERVICE_NAME,
        configure: (app) =>
          mountOpenApi(app, {
            title: 'audit log',
            description:
              'Signed checkpoints, inclusion and consistency proofs, entries, trails and exports of the tamper-evident log (auditor key).',
          }),
      }),
  });
}
