import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@hub/auth/auth.module';
import { KafkaModule } from '@hub/kafka/kafka.module';
import { PlatformModule } from '@hub/platform/platform.module';
import { AdminModule } from './admin/admin.module';
import { AlertsModule } from './alerts/alerts.module';
import { ConsoleModule } from './console/console.module';
import { gatewayDataSourceOptions, GATEWAY_SCHEMA } from './database/data-source';
import { GatewayConfig } from './gateway.config';
import { DirectoryModule } from './directory/directory.module';
import { InboxModule } from './inbox/inbox.module';
import { GatewayCredentialStore } from './reference/gateway-credential.store';
import { throttleTracker } from './rate-limit';

export const SERVICE_NAME = 'agency-gateway';

@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        PlatformModule.forRoot({ serviceName: SERVICE_NAME, logLevel: config.LOG_LEVEL }),
        TypeOrmModule.forRoot(gatewayDataSourceOptions(config.databaseUrl)),
        KafkaModule.forRoot({
          clientId: SERVICE_NAME,
          brokers: config.brokers,
          replicationFactor: config.KAFKA_REPLICATION_FACTOR,
          minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS,
          outboxSchema: GATEWAY_SCHEMA,
        }),
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'per-key', ttl: 60_000, limit: config.RATE_LIMIT_PER_MINUTE }],
          getTracker: throttleTracker,
        }),
        AuthModule.forRoot({ store: GatewayCredentialStore, adminKey: config.HUB_ADMIN_KEY }),
        AdminModule,
        AlertsModule,
        InboxModule,
        DirectoryModule,
        ConsoleModule,
      ],
      providers: [{ provide: GatewayConfig, useValue: config }, { provide: APP_GUARD, useClass: ThrottlerGuard }],
      exports: [GatewayConfig],
    };
  }
}
