import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Admin, CompressionTypes, Kafka, Message, Partitioners, Producer } from 'kafkajs';
import { Topic } from '@hub/contracts/topics';
import { kafkaMetrics } from '@hub/observability/kafka-metrics';
import { tracing, withTraceHeaders } from '@hub/observability/tracing';
import { KAFKA_CLIENT } from './kafka.options';

export interface OutgoingMessage {
  topic: Topic;
  key: string;
  value: unknown;
  headers?: Record<string, string>;
}

export type SerializedMessage = Omit<OutgoingMessage, 'value'> & { value: string };

/**
 * Bytes of keys, values and headers per produce request. The broker refuses a partition's record batch over
 * max.message.bytes (1 MiB by default) with MESSAGE_TOO_LARGE; a drain of 500 large rows used to exceed it on
 * every try and wedge the outbox. Half of it leaves room for record overhead and skewed partitions.
 */
export const MAX_REQUEST_BYTES = 512 * 1024;

/** What a message weighs against MAX_REQUEST_BYTES (64 bytes of record overhead counted for each). */
export function messageBytes(message: { key: string; value: string; headers?: Record<string, string> | null }): number {
  return (
    Buffer.byteLength(message.key) +
    Buffer.byteLength(message.value) +
    (message.headers ? Buffer.byteLength(JSON.stringify(message.headers)) : 0) +
    64
  );
}

/** One caller's messages for one partition, waiting for the partition's next produce request. */
interface QueuedSend {
  messages: Message[];
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

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
 *
 * Concurrent sends to one partition share a request (docs/decisions/009-hot-path.md): one request per partition is in
 * flight at a time, and what callers hand over meanwhile goes out together in the next one, up to MAX_REQUEST_BYTES.
 * Each caller still resolves only once the broker acknowledged its own records, and sees the failure of the request
 * that carried them; a request the broker refuses as too large is sent again caller by caller, so one caller's
 * oversized records never fail another's.
 */
@Injectable()
export class KafkaProducer implements OnModuleInit, OnModuleDestroy {
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly partitionCounts = new Map<string, number>();
  /** Per topic and partition, the sends waiting for its request in flight to finish (present while one is). */
  private readonly queues = new Map<string, QueuedSend[]>();

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
    // Messages written without a trace context (not through the outbox) carry the sender's active span.
    if (tracing.enabled) messages = messages.map((m) => ({ ...m, headers: withTraceHeaders(m.headers) }));
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
        this.enqueue(
          topic,
          partition,
          list.map((m) => ({ key: m.key, value: m.value, headers: m.headers, partition })),
          list.reduce((sum, m) => sum + messageBytes(m), 0),
        ),
      ),
    );
  }

  private enqueue(topic: Topic, partition: number, messages: Message[], bytes: number): Promise<void> {
    const slot = `${topic}\n${partition}`;
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues.get(slot);
      if (queue) {
        queue.push({ messages, bytes, resolve, reject });
        return;
      }
      this.queues.set(slot, [{ messages, bytes, resolve, reject }]);
      void this.drainQueue(topic, slot);
    });
  }

  /** Sends a partition's queue, a request at a time, each with what was queued up to MAX_REQUEST_BYTES, in order. */
  private async drainQueue(topic: Topic, slot: string): Promise<void> {
    const queue = this.queues.get(slot)!;
    while (queue.length > 0) {
      let bytes = queue[0].bytes;
      let count = 1;
      while (count < queue.length && bytes + queue[count].bytes <= MAX_REQUEST_BYTES) bytes += queue[count++].bytes;
      const taken = queue.splice(0, count);
      try {
        await this.produce(
          topic,
          taken.flatMap((send) => send.messages),
        );
        for (const send of taken) send.resolve();
      } catch (error) {
        if (taken.length > 1 && isMessageTooLarge(error)) {
          for (const send of taken) await this.produce(topic, send.messages).then(send.resolve, send.reject);
        } else {
          for (const send of taken) send.reject(error);
        }
      }
    }
    this.queues.delete(slot);
  }

  private async produce(topic: Topic, messages: Message[]): Promise<void> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      await this.producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
    } catch (error) {
      kafkaMetrics.producerRequestDuration.observe({ topic, result: 'error' }, seconds());
      kafkaMetrics.producerErrors.inc({ topic });
      throw error;
    }
    kafkaMetrics.producerRequestDuration.observe({ topic, result: 'ok' }, seconds());
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
export function partitionOf(
  partitioner: ReturnType<typeof Partitioners.DefaultPartitioner>,
  message: { topic: string; key: string },
  count: number,
): number {
  const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [],
    isr: [],
    partitionErrorCode: 0,
  }));
  return partitioner({ topic: message.topic, partitionMetadata, message: { key: message.key, value: null } });
}

/** The broker refused a record batch for its size (kafkajs wraps the protocol error; look through its causes). */
export function isMessageTooLarge(error: unknown): boolean {
  for (
    let e = error as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined, depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (e.type === 'MESSAGE_TOO_LARGE' || e.type === 'RECORD_LIST_TOO_LARGE') return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}
