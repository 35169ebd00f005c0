import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Admin, CompressionTypes, Kafka, Partitioners, Producer } from 'kafkajs';
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
 * only after the partition leader and all in-sync replicas have the record (acks = -1). At least once: a record may
 * be written twice after a retry, never acknowledged without being in the log.
 *
 * Each produce call targets ONE partition. kafkajs' sendBatch/send over partitions led by several brokers keeps, across
 * its retries, the answers of the brokers that already succeeded; when another broker answers NOT_LEADER and the
 * partition's leadership moved to one of those, its records are never sent again and the call resolves anyway (the
 * chaos run lost deliveries and audit facts so, around a frozen leader broker; kafkajs PR #1798 is still open). A
 * one-partition call has one broker at a time, so a retry always re-sends it. The partition is chosen exactly as
 * kafkajs would (its DefaultPartitioner over the topic's partition count), so keys keep their partitions and order.
 */
@Injectable()
export class KafkaProducer implements OnModuleInit, OnModuleDestroy {
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly partitionCounts = new Map<string, number>();

  constructor(@Inject(KAFKA_CLIENT) kafka: Kafka) {
    // Not kafkajs' idempotent producer: after an error that may have been persisted (a timeout, a lost connection) it
    // rewinds the partition's sequence, so the next batch can carry the sequence of one the broker kept, and the
    // broker answers "duplicate" and drops it, acknowledged (seen by `npm run chaos`: a submission acknowledged to the
    // outbox, absent from Kafka). Without it a retry may write a record twice; every consumer of the hub is idempotent
    // (messageId, deliveryId, eventId, noticeId), so a duplicate costs nothing. One request in flight per broker keeps
    // a retried batch ahead of the next.
    this.producer = kafka.producer({ idempotent: false, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.admin = kafka.admin();
  }

  async onModuleInit(): Promise<void> {
    await this.producer.connect();
    await this.admin.connect();
  }

  async onModuleDestroy(): Promise<void> {
    await this.producer.disconnect();
    await this.admin.disconnect();
  }

  async send(messages: OutgoingMessage[]): Promise<void> {
    await this.sendSerialized(messages.map((m) => ({ ...m, value: JSON.stringify(m.value) })));
  }

  /** Messages whose value is already JSON text (the outbox stores it so): sent as they are, not parsed again. */
  async sendSerialized(messages: SerializedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const partitions = await this.partitionCountsOf([...new Set(messages.map((m) => m.topic))]);
    const byPartition = new Map<string, { topic: Topic; partition: number; list: SerializedMessage[] }>();
    for (const message of messages) {
      const partition = partitionOf(this.partitioner, message, partitions.get(message.topic)!);
      const slot = `${message.topic}\n${partition}`;
      const group = byPartition.get(slot) ?? { topic: message.topic, partition, list: [] };
      group.list.push(message);
      byPartition.set(slot, group);
    }
    await Promise.all(
      [...byPartition.values()].map(({ topic, partition, list }) =>
        this.producer.send({
          topic,
          acks: -1,
          compression: CompressionTypes.None,
          messages: list.map((m) => ({ key: m.key, value: m.value, headers: m.headers, partition })),
        }),
      ),
    );
  }

  /** Partition counts from the cluster's metadata, kept: a topic's partitions only ever grow, by an operator's hand. */
  private async partitionCountsOf(topics: string[]): Promise<Map<string, number>> {
    const unknown = topics.filter((topic) => !this.partitionCounts.has(topic));
    if (unknown.length > 0) {
      const metadata = await this.admin.fetchTopicMetadata({ topics: unknown });
      for (const topic of metadata.topics) this.partitionCounts.set(topic.name, topic.partitions.length);
    }
    return this.partitionCounts;
  }
}

/** The partition kafkajs' own partitioner gives a keyed message in a topic of `count` partitions. */
export function partitionOf(partitioner: ReturnType<typeof Partitioners.DefaultPartitioner>, message: { topic: string; key: string }, count: number): number {
  const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [], isr: [], partitionErrorCode: 0 }));
  return partitioner({ topic: message.topic, partitionMetadata, message: { key: message.key, value: null } });
}
