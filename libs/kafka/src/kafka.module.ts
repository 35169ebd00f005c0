import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { createKafkaClient } from './kafka-client';
import { KafkaHealthIndicator } from './kafka.health';
import { KAFKA_CLIENT, KAFKA_OPTIONS, KafkaModuleOptions } from './kafka.options';
import { KafkaProducer } from './kafka.producer';
import { KafkaMessageHandler } from './message-handler';
import { AuditPublisher } from './audit.publisher';
import { ConsumerStatus } from './consumer-status';
import { KafkaBatchConsumers } from './batch-consumer';
import { OutboxRowSender } from './outbox-row-sender';
import { OutboxService } from './outbox.service';
import { OutboxMetrics } from './outbox-metrics';
import { TopicAdmin } from './topic-admin';

@Global()
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      imports: [TerminusModule],
      providers: [
        { provide: KAFKA_OPTIONS, useValue: options },
        {
          provide: KAFKA_CLIENT,
          useFactory: () => createKafkaClient(options.service, options),
        },
        KafkaProducer,
        TopicAdmin,
        KafkaHealthIndicator,
        KafkaMessageHandler,
        OutboxRowSender,
        OutboxService,
        OutboxMetrics,
        AuditPublisher,
        KafkaBatchConsumers,
        ConsumerStatus,
      ],
      exports: [
        KAFKA_OPTIONS,
        KAFKA_CLIENT,
        KafkaProducer,
        TopicAdmin,
        KafkaHealthIndicator,
        KafkaMessageHandler,
        OutboxService,
        AuditPublisher,
        KafkaBatchConsumers,
        ConsumerStatus,
      ],
    };
  }
}
