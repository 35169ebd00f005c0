import 'reflect-metadata';
import { bootstrapHybridApp } from '@hub/platform/bootstrap';
import { loadConfig } from '@hub/platform/config';
import { runServiceMain } from '@hub/platform/service-main';
import { AppModule, SERVICE_NAME } from './app.module';
import { auditDataSourceOptions, auditGrants } from './database/data-source';
import { AuditConfig } from './audit.config';

runServiceMain<AuditConfig>({
  loadConfig: () => loadConfig(AuditConfig),
  dataSourceOptions: (_config, url) => auditDataSourceOptions(url),
  ownerUrl: (config) => config.DATABASE_URL,
  runtimeUrl: (config) => config.databaseUrl,
  grants: auditGrants,
  serve: (config) =>
    bootstrapHybridApp(AppModule.register(config), {
      serviceName: SERVICE_NAME,
      host: config.HOST,
      port: config.AUDIT_PORT,
      brokers: config.brokers,
      groupId: SERVICE_NAME,
    }),
});
