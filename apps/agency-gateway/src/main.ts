import 'reflect-metadata';
import { bootstrapHybridApp } from '@hub/platform/bootstrap';
import { loadConfig } from '@hub/platform/config';
import { mountOpenApi } from '@hub/platform/openapi';
import { runServiceMain } from '@hub/platform/service-main';
import { AppModule, SERVICE_NAME } from './app.module';
import { gatewayDataSourceOptions, gatewayGrants } from './database/data-source';
import { GatewayConfig } from './gateway.config';
import { CAP_CONTENT_TYPE, CAP_MEDIA_TYPE } from './interchange/media-types';
import { MAX_HIT_BODY_BYTES } from './hits/hit-query';
import { MAX_BATCH_BODY_BYTES, NDJSON_CONTENT_TYPE, NDJSON_MEDIA_TYPE } from './alerts/batch/ndjson-batch';

runServiceMain<GatewayConfig>({
  service: SERVICE_NAME,
  loadConfig: () => loadConfig(GatewayConfig),
  dataSourceOptions: (_config, url) => gatewayDataSourceOptions(url),
  ownerUrl: (config) => config.DATABASE_URL,
  runtimeUrl: (config) => config.databaseUrl,
  grants: gatewayGrants,
  serve: (config) =>
    bootstrapHybridApp(AppModule.register(config), {
      service: SERVICE_NAME,
      host: config.HOST,
      port: config.GATEWAY_PORT,
      https: config.https,
      brokers: config.brokers,
      credentials: config.kafkaCredentials,
      tls: config.kafkaTls,
      groupId: SERVICE_NAME,
      textBodyTypes: [{ mediaType: CAP_MEDIA_TYPE, pattern: CAP_CONTENT_TYPE }],
      bodyRoutes: [
        {
          method: 'POST',
          path: '/v1/alerts/batch',
          limitBytes: MAX_BATCH_BODY_BYTES,
          textType: { mediaType: NDJSON_MEDIA_TYPE, pattern: NDJSON_CONTENT_TYPE },
        },
        { method: 'POST', path: '/v1/hits', limitBytes: MAX_HIT_BODY_BYTES },
      ],
      configure: (app) =>
        mountOpenApi(app, {
          title: 'agency gateway',
          description:
            'Submit, update and cancel alerts, read the inbox (paged and live), acknowledge; admin onboarding.',
        }),
    }),
});
