import { DynamicModule, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '@hub/auth/auth.module';
import { RateLimitModule } from '@hub/auth/rate-limit.module';
import { CredentialReplicaModule } from '@hub/auth/credential-replica';
import { KafkaModule } from '@hub/kafka/kafka.module';
import { PlatformModule } from '@hub/platform/platform.module';
import { ObservabilityModule } from '@hub/observability/observability.module';
import { AuditConfig } from './audit.config';
import { AuditorModule } from './auditor/auditor.module';
import { auditDataSourceOptions, AUDIT_SCHEMA } from './database/data-source';
import { AuditLogModule } from './log/audit-log.module';
import { CheckpointKey } from './signing/checkpoint-key';
import { HubService } from '@hub/contracts/topics';

export const SERVICE_NAME = HubService.AuditLog;

@Module({})
export class AppModule implements OnApplicationBootstrap {
  constructor(private readonly checkpointKey: CheckpointKey) {}

  onApplicationBootstrap(): void {
    const { keyId, source } = this.checkpointKey;
    new Logger('CheckpointKey').log(
      { keyId, source },
      `tree heads and checkpoints are signed with Ed25519 key ${keyId}`,
    );
  }

  static register(config: AuditConfig, checkpointKey: CheckpointKey): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        PlatformModule.forRoot({ serviceName: SERVICE_NAME, logLevel: config.LOG_LEVEL }),
        ObservabilityModule.forRoot({ service: SERVICE_NAME, metricsToken: config.METRICS_TOKEN }),
        TypeOrmModule.forRoot(auditDataSourceOptions(config.databaseUrl)),
        KafkaModule.forRoot({
          service: SERVICE_NAME,
          brokers: config.brokers,
          credentials: config.kafkaCredentials,
          tls: config.kafkaTls,
          replicationFactor: config.KAFKA_REPLICATION_FACTOR,
          minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS,
          outboxSchema: AUDIT_SCHEMA,
        }),
        // Before AuthModule: global guards run in import order, and a bad key or a wrong role must be counted too (a
        // denial writes an audit fact and looks the key up).
        RateLimitModule.forRoot(config.RATE_LIMIT_PER_MINUTE),
        AuthModule.forRoot({ imports: [CredentialReplicaModule.forSchema(AUDIT_SCHEMA)] }),
        AuditLogModule,
        AuditorModule,
      ],
      providers: [
        { provide: AuditConfig, useValue: config },
        { provide: CheckpointKey, useValue: checkpointKey },
      ],
      exports: [AuditConfig, CheckpointKey],
    };
  }
}
