import 'reflect-metadata';
import { bootstrapHybridApp } from '@hub/platform/bootstrap';
import { loadConfig } from '@hub/platform/config';
import { mountOpenApi } from '@hub/platform/openapi';
import { runServiceMain } from '@hub/platform/service-main';
import { AppModule, SERVICE_NAME } from './app.module';
import { coordinationDataSourceOptions, coordinationGrants } from './database/data-source';
import { CoordinationConfig } from './coordination.config';

runServiceMain<CoordinationConfig>({
  service: SERVICE_NAME,
  loadConfig: () => loadConfig(CoordinationConfig),
  dataSourceOptions: (_config, url) => coordinationDataSourceOptions(url),
  ownerUrl: (config) => config.DATABASE_URL,
  runtimeUrl: (config) => config.databaseUrl,
  grants: coordinationGrants,
  serve: (config) =>
    bootstrapHybridApp(AppModule.register(config), {
      service: SERVICE_NAME,
      host: config.HOST,
      port: config.COORDINATION_PORT,
      https: config.https,
      brokers: config.brokers,
      credentials: config.kafkaCredentials,
      tls: config.kafkaTls,
      groupId: SERVICE_NAME,
      configure: (app) =>
        mountOpenApi(app, {
          title: 'coordination node',
          description: "The analysts' live feed, counters, chase list and cross-agency correlations (analyst key).",
        }),
    }),
});
