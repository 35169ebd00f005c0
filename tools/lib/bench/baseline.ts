/**
 * Baseline: raw kafkajs produce → consume of the same AlertSubmittedMessage payloads through the bench broker,
 * with a producer configured like the hub's (idempotent, acks = -1, no compression) and a consumer like its
 * consumers (one group, 3 partitions at once). No HTTP, no database: what Kafka alone costs on this machine.
 */
import { performance } from 'node:perf_hooks';
import { Batch, Kafka, logLevel, Producer, Consumer } from 'kafkajs';
import { kafkaClientConfig } from '@hub/testing/local-hub';
import { submittedMessage } from './payload';
import { busyMeter, round1, summarize } from './metrics';
import type { BaselineResult, LatencyAtRateResult, ThroughputResult } from './results';

const PARTITIONS = 6; // like alerts.submitted.v1
const POOL = 2000;

interface PooledMessage {
  key: string;
  value: string;
}

function payloadPool(): PooledMessage[] {
  const recipients = ['KZ-BENCH02', 'KG-BENCH03', 'UZ-BENCH04'];
  const pool: PooledMessage[] = [];
  for (let i = 0; i < POOL; i++) {
    const message = submittedMessage(i, 'TJ-BENCH01', recipients);
    pool.push({ key: message.alertId, value: JSON.stringify(message) });
  }
  return pool;
}

async function withConsumer(
  kafka: Kafka,
  topic: string,
  onBatch: (batch: Batch, now: number) => void,
): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: `${topic}-consumer`, sessionTimeout: 30000, heartbeatInterval: 3000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch }) => onBatch(batch, performance.now()),
  });
  await joined;
  return consumer;
}

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

/** Keeps `inFlight` sends of `batchSize` messages going for `seconds`, then waits until all are consumed. */
async function throughput(
  kafka: Kafka,
  producer: Producer,
  pool: PooledMessage[],
  { topic, seconds, batchSize, inFlight }: { topic: string; seconds: number; batchSize: number; inFlight: number },
): Promise<ThroughputResult> {
  let consumed = 0;
  let lastConsumedAt = 0;
  const consumer = await withConsumer(kafka, topic, (batch, now) => {
    consumed += batch.messages.length;
    lastConsumedAt = now;
  });
  let produced = 0;
  let next = 0;
  const started = performance.now();
  const stopAt = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < stopAt) {
      const messages: PooledMessage[] = [];
      for (let i = 0; i < batchSize; i++) messages.push(pool[next++ % pool.length]);
      await producer.send({ topic, acks: -1, messages });
      produced += batchSize;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const producedAt = performance.now();
  const complete = await waitFor(() => consumed >= produced, 60000);
  await consumer.disconnect();
  const elapsed = (lastConsumedAt - started) / 1000;
  return {
    batchSize,
    inFlight,
    produced,
    consumed,
    complete,
    produceSeconds: round1((producedAt - started) / 1000),
    messagesPerSecond: Math.round(consumed / elapsed),
    produceMessagesPerSecond: Math.round(produced / ((producedAt - started) / 1000)),
  };
}

/** Open-loop single-message sends at `rate`/s; latency = consumer arrival − send call, same process clock. */
async function latencyAtRate(
  kafka: Kafka,
  producer: Producer,
  pool: PooledMessage[],
  { topic, seconds, rate }: { topic: string; seconds: number; rate: number },
): Promise<LatencyAtRateResult> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const consumer = await withConsumer(kafka, topic, (batch, now) => {
    for (const message of batch.messages) {
      const key = String(message.key);
      const t = sentAt.get(key);
      if (t !== undefined) latencies.push(now - t);
    }
  });
  const total = Math.round(rate * seconds);
  const started = performance.now() + 20;
  const sends: Promise<unknown>[] = [];
  const busy = busyMeter();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const { value } = pool[i % pool.length];
    const key = `lat-${i}`;
    sentAt.set(key, performance.now());
    sends.push(producer.send({ topic, acks: -1, messages: [{ key, value }] }));
  }
  await Promise.all(sends);
  await waitFor(() => latencies.length >= total, 30000);
  const machineBusyPercent = busy.stop();
  await consumer.disconnect();
  return { rate, seconds, messages: total, latencyMs: summarize(latencies), machineBusyPercent };
}

/** Raw Kafka on the bench broker: batched and single-send throughput, then latency at `rate`. */
export async function runBaseline({
  brokers,
  plaintextBrokers,
  seconds = 10,
  rate = 200,
  log,
}: {
  brokers: string[];
  /** The same broker's SASL_PLAINTEXT listener (`--compare tls`): the figures without TLS. */
  plaintextBrokers?: string[];
  seconds?: number;
  rate?: number;
  log: (line: string) => void;
}): Promise<BaselineResult> {
  const kafka = new Kafka({
    clientId: 'bench-baseline',
    ...kafkaClientConfig(brokers),
    ...(plaintextBrokers ? { brokers: plaintextBrokers, ssl: undefined } : {}),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const topics = {
    warmup: 'bench.baseline.warmup.v1',
    batched: 'bench.baseline.batched.v1',
    single: 'bench.baseline.single.v1',
    singleHub: 'bench.baseline.single-hub.v1',
    latency: 'bench.baseline.latency.v1',
  };
  await admin.createTopics({
    // kafkajs' own wait gives up on UNKNOWN_TOPIC_OR_PARTITION, which a cluster's other brokers answer for a moment.
    waitForLeaders: false,
    // The broker's default replication, as the hub's topics get it (3 on a `--brokers 3` cluster).
    topics: Object.values(topics).map((topic) => ({ topic, numPartitions: PARTITIONS })),
  });
  // Every partition led and fully replicated before the first send; on a cluster, a moment more for every broker's
  // metadata to catch up.
  for (let attempt = 0; ; attempt++) {
    const described = await admin.fetchTopicMetadata({ topics: Object.values(topics) }).then(
      (m) => m.topics,
      () => [] as Awaited<ReturnType<typeof admin.fetchTopicMetadata>>['topics'],
    );
    const ready =
      described.length === Object.keys(topics).length &&
      described.every(
        (t) =>
          t.partitions.length === PARTITIONS &&
          t.partitions.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length),
      );
    if (ready) break;
    if (attempt >= 120) throw new Error('baseline topics have no leaders after 60 s');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (brokers.length > 1) await new Promise((resolve) => setTimeout(resolve, 2000));
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
  await producer.connect();
  const pool = payloadPool();
  const messageBytes = Math.round(pool.reduce((acc, m) => acc + Buffer.byteLength(m.value), 0) / pool.length);
  try {
    // Not measured: JIT-warms the broker and creates __consumer_offsets, which every consumer group below needs.
    await throughput(kafka, producer, pool, { topic: topics.warmup, seconds: 3, batchSize: 100, inFlight: 4 });
    log(`baseline: batched sends (100 messages per send, 4 in flight) for ${seconds} s`);
    const batched = await throughput(kafka, producer, pool, {
      topic: topics.batched,
      seconds,
      batchSize: 100,
      inFlight: 4,
    });
    log(`baseline: batched ${batched.messagesPerSecond} msg/s`);
    log(`baseline: one message per send, 64 in flight, for ${seconds} s`);
    const single = await throughput(kafka, producer, pool, {
      topic: topics.single,
      seconds,
      batchSize: 1,
      inFlight: 64,
    });
    log(`baseline: single ${single.messagesPerSecond} msg/s`);
    // The hub's own producer settings since issue 10 (libs/kafka/src/kafka.producer.ts): not idempotent, one request
    // in flight per broker. What that costs against kafkajs' idempotent producer above, same load.
    log(
      `baseline: one message per send, 64 in flight, the hub's producer settings (not idempotent, 1 request in flight), for ${seconds} s`,
    );
    const hubProducer = kafka.producer({ idempotent: false, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await hubProducer.connect();
    const singleHubSettings = await throughput(kafka, hubProducer, pool, {
      topic: topics.singleHub,
      seconds,
      batchSize: 1,
      inFlight: 64,
    }).finally(() => hubProducer.disconnect().catch(() => undefined));
    log(`baseline: single, hub's producer settings ${singleHubSettings.messagesPerSecond} msg/s`);
    log(`baseline: latency at ${rate} msg/s for ${Math.min(seconds, 10)} s`);
    const latency = await latencyAtRate(kafka, producer, pool, {
      topic: topics.latency,
      seconds: Math.min(seconds, 10),
      rate,
    });
    log(
      `baseline: produce→consume p50 ${latency.latencyMs.p50} ms, p99 ${latency.latencyMs.p99} ms (machine busy ${latency.machineBusyPercent} %)`,
    );
    return {
      messageBytes,
      partitions: PARTITIONS,
      acks: -1,
      idempotent: true,
      batched,
      single,
      singleHubSettings,
      latency,
    };
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}
