import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KafkaModule } from '@hub/kafka/kafka.module';
import { PlatformModule } from '@hub/platform/platform.module';
import { ObservabilityModule } from '@hub/observability/observability.module';
import { AuthModule } from '@hub/auth/auth.module';
import { RateLimitModule } from '@hub/auth/rate-limit.module';
import { CredentialReplicaModule } from '@hub/auth/credential-replica';
import { RoutingModule } from './routing/routing.module';
import { FeedModule } from './feed/feed.module';
import { CorrelationModule } from './correlation/correlation.module';
import { StatsModule } from './stats/stats.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { ErasureModule } from './erasure/erasure.module';
import { coordinationDataSourceOptions, COORDINATION_SCHEMA } from './database/data-source';
import { CoordinationConfig } from './coordination.config';
import { HubService } from '@hub/contracts/topics';

export const SERVICE_NAME = HubService.CoordinationNode;

@Module({})
export class AppModule {
  static register(config: CoordinationConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        PlatformModule.forRoot({ serviceName: SERVICE_NAME, logLevel: config.LOG_LEVEL }),
        ObservabilityModule.forRoot({ service: SERVICE_NAME, metricsToken: config.METRICS_TOKEN }),
        TypeOrmModule.forRoot(coordinationDataSourceOptions(config.databaseUrl)),
        KafkaModule.forRoot({
          service: SERVICE_NAME,
          brokers: config.brokers,
          credentials: config.kafkaCredentials,
          tls: config.kafkaTls,
          replicationFactor: config.KAFKA_REPLICATION_FACTOR,
          minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS,
          outboxSchema: COORDINATION_SCHEMA,
        }),
        // Before AuthModule: global guards run in import order, and a bad key or a wrong role must be counted too (a
        // denial writes an audit fact and looks the key up).
        RateLimitModule.forRoot(config.RATE_LIMIT_PER_MINUTE),
        AuthModule.forRoot({ imports: [CredentialReplicaModule.forSchema(COORDINATION_SCHEMA)] }),
        RoutingModule,
        CorrelationModule,
        FeedModule,
        StatsModule,
        DashboardModule,
        ErasureModule,
      ],
      providers: [{ provide: CoordinationConfig, useValue: config }],
      exports: [CoordinationConfig],
    };
  }
}
