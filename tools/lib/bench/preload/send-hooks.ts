/**
 * What the bench's preloads (count-preload.ts, profile-preload.ts) wrap in a service, without changing its code: every
 * SQL statement sent through `pg`, and every produce call of the producers kafkajs hands out. Each hook gets what was
 * sent; a missing package means nothing to observe. The packages are the service's own: resolved from its main
 * script (dist/apps/<app>/main.js), as the service resolves them.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

/** One topic's messages in a produce call. */
export interface TopicMessages {
  topic: string;
  messages: unknown[];
}

type QueryConfig = string | { text?: string } | null | undefined;
interface PgModule {
  Client: { prototype: { query: (this: unknown, config: QueryConfig, ...rest: unknown[]) => unknown } };
}
interface Producer {
  send(record: { topic: string; messages?: unknown[] }): Promise<unknown>;
  sendBatch(batch: { topicMessages?: TopicMessages[] }): Promise<unknown>;
}
interface InstrumentationEvent {
  payload?: { apiName?: string; topic?: string; batchSize?: number };
}
interface Instrumented {
  events: Record<string, string>;
  on(event: string, listener: (event: InstrumentationEvent) => void): unknown;
}
interface KafkaModule {
  Kafka: {
    prototype: {
      producer: (this: unknown, ...args: unknown[]) => Producer;
      consumer: (this: unknown, ...args: unknown[]) => Instrumented;
    };
  };
}

/** Loads a package the way the service's main script would. */
export function servicePackage<T>(name: string): T {
  const main = process.argv[1] ? path.resolve(process.argv[1]) : path.join(process.cwd(), 'index.js');
  return createRequire(main)(name) as T;
}

/** Calls `observe(text)` with the text of every statement a pg.Client sends. */
export function observeStatements(observe: (text: string) => void): void {
  try {
    const pg = servicePackage<PgModule>('pg');
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function observedQuery(config, ...rest) {
      const text = typeof config === 'string' ? config : config && config.text;
      if (text) observe(text);
      return original.call(this, config, ...rest);
    };
  } catch {
    /* no pg: nothing to observe */
  }
}

/** Calls `observe([{ topic, messages }])` for every send / sendBatch of a kafkajs producer. */
export function observeProduceCalls(observe: (topicMessages: TopicMessages[]) => void): void {
  try {
    const { Kafka } = servicePackage<KafkaModule>('kafkajs');
    const originalProducer = Kafka.prototype.producer;
    Kafka.prototype.producer = function observedProducer(...args) {
      const producer = originalProducer.apply(this, args);
      const send = producer.send;
      const sendBatch = producer.sendBatch;
      producer.send = (record) => {
        observe([{ topic: record.topic, messages: record.messages || [] }]);
        return send(record);
      };
      producer.sendBatch = (batch) => {
        observe(batch.topicMessages || []);
        return sendBatch(batch);
      };
      return producer;
    };
  } catch {
    /* no kafkajs: nothing to observe */
  }
}

/** What the kafkajs clients of a service do on the wire and in their batches. */
export interface ClientObserver {
  /** Every request a consumer or producer sends to a broker, by API (Produce, Fetch, OffsetCommit, Heartbeat…). */
  request(apiName: string): void;
  /** Every batch a consumer has processed: its topic and number of records. */
  batch(topic: string, size: number): void;
}

/** Subscribes to kafkajs' instrumentation events of every consumer and producer the service creates. */
export function observeClients(observer: ClientObserver): void {
  try {
    const { Kafka } = servicePackage<KafkaModule>('kafkajs');
    const onRequest = (event: InstrumentationEvent) => observer.request(event.payload?.apiName ?? 'unknown');
    const originalConsumer = Kafka.prototype.consumer;
    Kafka.prototype.consumer = function observedConsumer(...args) {
      const consumer = originalConsumer.apply(this, args);
      consumer.on(consumer.events.REQUEST, onRequest);
      consumer.on(consumer.events.END_BATCH_PROCESS, (event) =>
        observer.batch(event.payload?.topic ?? 'unknown', event.payload?.batchSize ?? 0),
      );
      return consumer;
    };
    const originalProducer = Kafka.prototype.producer;
    Kafka.prototype.producer = function observedProducer(...args) {
      const producer = originalProducer.apply(this, args) as Producer & Partial<Instrumented>;
      if (producer.on && producer.events) producer.on(producer.events.REQUEST, onRequest);
      return producer;
    };
  } catch {
    /* no kafkajs: nothing to observe */
  }
}

/** Upper bounds of the batch-size buckets: 1, 2-4, 5-16, 17-64, 65-256, then 257 and more. */
const BATCH_BUCKETS = [1, 4, 16, 64, 256];

/** The bucket a consumer batch of `size` records is counted in. */
export function batchBucket(size: number): string {
  let lower = 1;
  for (const upper of BATCH_BUCKETS) {
    if (size <= upper) return lower === upper ? String(upper) : `${lower}-${upper}`;
    lower = upper + 1;
  }
  return `${lower}+`;
}
