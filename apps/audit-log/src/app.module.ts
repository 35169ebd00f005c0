import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KafkaModule } from '@hub/kafka/kafka.module';
import { PlatformModule } from '@hub/platform/platform.module';
import { auditDataSourceOptions, AUDIT_SCHEMA } from './database/data-source';
import { AuditConfig } from './audit.config';

export const SERVICE_NAME = 'audit-log';

@Module({})
export class AppModule {
  static register(config: AuditConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ serviceName: SERVICE_NAME, logLevel: config.LOG_LEVEL }),
        TypeOrmModule.forRoot(auditDataSourceOptions(config.databaseUrl)),
        KafkaModule.forRoot({
          clientId: SERVICE_NAME,
          brokers: config.brokers,
          replicationFactor: config.KAFKA_REPLICATION_FACTOR,
          minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS,
          outboxSchema: AUDIT_SCHEMA,
        }),
      ],
      providers: [{ provide: AuditConfig, useValue: config }],
      exports: [AuditConfig],
    };
  }
}
