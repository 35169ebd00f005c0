import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@hub/auth/auth.module';
import { RateLimitModule } from '@hub/auth/rate-limit.module';
import { KafkaModule } from '@hub/kafka/kafka.module';
import { PlatformModule } from '@hub/platform/platform.module';
import { ObservabilityModule } from '@hub/observability/observability.module';
import { AdminModule } from './admin/admin.module';
import { AlertsModule } from './alerts/alerts.module';
import { ConsoleModule } from './console/console.module';
import { gatewayDataSourceOptions, GATEWAY_SCHEMA } from './database/data-source';
import { GatewayConfig } from './gateway.config';
import { DirectoryModule } from './directory/directory.module';
import { InboxModule } from './inbox/inbox.module';
import { HitsModule } from './hits/hits.module';
import { SigningModule } from './signing/signing.module';
import { RoomsModule } from './rooms/rooms.module';
import { ErasureModule } from './erasure/erasure.module';
import { GatewayCredentialStore } from './reference/gateway-credential.store';
import { ReferenceChanges } from './reference/reference-changes';
import { HubService } from '@hub/contracts/topics';

export const SERVICE_NAME = HubService.AgencyGateway;

@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        PlatformModule.forRoot({ serviceName: SERVICE_NAME, logLevel: config.LOG_LEVEL }),
        ObservabilityModule.forRoot({ service: SERVICE_NAME, metricsToken: config.METRICS_TOKEN }),
        TypeOrmModule.forRoot(gatewayDataSourceOptions(config.databaseUrl)),
        KafkaModule.forRoot({
          service: SERVICE_NAME,
          brokers: config.brokers,
          credentials: config.kafkaCredentials,
          tls: config.kafkaTls,
          replicationFactor: config.KAFKA_REPLICATION_FACTOR,
          minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS,
          outboxSchema: GATEWAY_SCHEMA,
        }),
        RateLimitModule.forRoot(config.RATE_LIMIT_PER_MINUTE),
        AuthModule.forRoot({ store: GatewayCredentialStore, adminKey: config.HUB_ADMIN_KEY }),
        AdminModule,
        SigningModule,
        AlertsModule,
        InboxModule,
        HitsModule,
        RoomsModule,
        ErasureModule,
        DirectoryModule,
        ConsoleModule,
      ],
      providers: [{ provide: GatewayConfig, useValue: config }, ReferenceChanges],
      exports: [GatewayConfig, ReferenceChanges],
    };
  }
}
