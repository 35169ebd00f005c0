import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CompressionTypes, Kafka, Producer } from 'kafkajs';
import { Topic } from '@hub/contracts/topics';
import { KAFKA_CLIENT } from './kafka.options';

export interface OutgoingMessage {
  topic: Topic;
  key: string;
  value: unknown;
  headers?: Record<string, string>;
}

export type SerializedMessage = Omit<OutgoingMessage, 'value'> & { value: string };

/**
 * The one way to produce. Connects at boot (kafkajs' lazy connect can fail silently), and every send resolves
 * only after the partition leader and all in-sync replicas have the record (acks = -1).
 */
@Injectable()
export class KafkaProducer implements OnModuleInit, OnModuleDestroy {
  private readonly producer: Producer;

  constructor(@Inject(KAFKA_CLIENT) kafka: Kafka) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
  }

  async onModuleInit(): Promise<void> {
    await this.producer.connect();
  }

  async onModuleDestroy(): Promise<void> {
    await this.producer.disconnect();
  }

  async send(messages: OutgoingMessage[]): Promise<void> {
    await this.sendSerialized(messages.map((m) => ({ ...m, value: JSON.stringify(m.value) })));
  }

  /** Messages whose value is already JSON text (the outbox stores it so): sent as they are, not parsed again. */
  async sendSerialized(messages: SerializedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const byTopic = new Map<Topic, SerializedMessage[]>();
    for (const message of messages) {
      const list = byTopic.get(message.topic) ?? [];
      list.push(message);
      byTopic.set(message.topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic.entries()].map(([topic, list]) => ({
        topic,
        messages: list.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
      })),
    });
  }
}
