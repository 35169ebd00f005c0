/**
 * npm run dead-letters -- list                 every record on hub.dead-letter.v1: origin, consumer, error
 * npm run dead-letters -- replay [--offset N]  sends dead-lettered records back to their origin topic, as they were
 *
 * Replay re-publishes the original record, re-read at the origin topic/partition/offset the dead letter names, and
 * only if the dead letter holds it (tools/lib/dead-letter-origin.ts): every service may write dead letters, so a
 * dead letter alone must never make the admin write what the origin topic's writer did not. Refusals are printed
 * (REFUSED) and make the command exit with status 2.
 *
 * Only a message at fault itself is dead-lettered (docs/decisions/002-delivery-guarantees.md); once its cause is
 * fixed (a handler that refused it, a contract that rejected it), replaying it is safe: every consumer is
 * idempotent. Replay keeps its place in the consumer group `hub-dead-letter-replay`, so each record is replayed
 * once; --offset replays one record whatever the group has done. Broker: KAFKA_BROKERS (default the local one), as
 * the Kafka admin (KAFKA_ADMIN_PASSWORD, default the local one outside production).
 */
import { Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { DeadLetterHeader, Topic } from '@hub/contracts/topics';
import { kafkaClientConfig } from '@hub/testing/local-hub';
import { checkReplayable } from './dead-letter-origin';

export const REPLAY_GROUP = 'hub-dead-letter-replay';
export const REPLAYED_HEADER = 'x-replayed-from';

function brokers(): string[] {
  return (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',').filter(Boolean);
}

function headersOf(message: KafkaMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers || {}))
    headers[name] = value === undefined ? '' : String(value);
  return headers;
}

/** Reads records [from, high) of the single-partition dead-letter topic and calls `visit` for each. */
async function readDeadLetters(
  kafka: Kafka,
  from: number | undefined,
  visit: (message: KafkaMessage, offset: number) => Promise<void>,
) {
  const admin = kafka.admin();
  await admin.connect();
  const [offsets] = await admin.fetchTopicOffsets(Topic.DeadLetter);
  await admin.disconnect();
  const high = Number(offsets.high);
  const start = Math.max(Number(from ?? offsets.low), Number(offsets.low));
  if (start >= high) return { start, high };
  const consumer = kafka.consumer({ groupId: `hub-dead-letter-reader-${process.pid}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: Topic.DeadLetter, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          const offset = Number(message.offset);
          if (offset >= start && offset < high) await visit(message, offset);
          if (offset >= high - 1) resolve();
        },
      })
      .catch(reject);
    consumer.seek({ topic: Topic.DeadLetter, partition: 0, offset: String(start) });
  });
  await consumer.disconnect();
  return { start, high };
}

async function list(kafka: Kafka): Promise<void> {
  let count = 0;
  const { high } = await readDeadLetters(kafka, undefined, async (message, offset) => {
    const h = headersOf(message);
    count++;
    process.stdout.write(
      `${offset}\t${h[DeadLetterHeader.Topic]}[${h[DeadLetterHeader.Partition]}]@${h[DeadLetterHeader.Offset]}\tconsumer=${h[DeadLetterHeader.ConsumerGroup]}` +
        `\tattempts=${h[DeadLetterHeader.Attempts]}${h[REPLAYED_HEADER] ? `\treplayed-from=${h[REPLAYED_HEADER]}` : ''}\t${h[DeadLetterHeader.Error]}\n`,
    );
  });
  process.stdout.write(`${count} dead-lettered record(s); next offset ${high}\n`);
}

async function replay(kafka: Kafka, onlyOffset: number | undefined): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  let from: number | undefined;
  if (onlyOffset === undefined) {
    const [committed] = await admin.fetchOffsets({ groupId: REPLAY_GROUP, topics: [Topic.DeadLetter] });
    const offset = committed.partitions[0] ? Number(committed.partitions[0].offset) : -1;
    from = offset >= 0 ? offset : undefined;
  } else from = onlyOffset;
  let replayed = 0;
  let skipped = 0;
  let refused = 0;
  // Collected first, then replayed: checking each origin takes longer than a consumer may go without a heartbeat.
  const collected: { message: KafkaMessage; offset: number }[] = [];
  const { high } = await readDeadLetters(kafka, from, async (message, offset) => {
    if (onlyOffset === undefined || offset === onlyOffset) collected.push({ message, offset });
  });
  for (const { message, offset } of collected) {
    const h = headersOf(message);
    const value = message.value ? message.value.toString('utf8') : null;
    if (value && value.startsWith('{"truncated":true')) {
      skipped++;
      process.stdout.write(`${offset}: not replayable (only a summary of the message was kept)\n`);
      continue;
    }
    // Anyone may write a dead letter: what is replayed is the original record, re-read where the headers say it is.
    const check = await checkReplayable(kafka, message);
    if ('refused' in check) {
      refused++;
      process.stdout.write(`${offset}: REFUSED, not replayed: ${check.refused}\n`);
      continue;
    }
    const origin = check.replay;
    try {
      await producer.send({
        topic: origin.topic,
        acks: -1,
        messages: [
          {
            key: origin.key,
            value: origin.value,
            headers: { ...origin.headers, [REPLAYED_HEADER]: `${Topic.DeadLetter}@${offset}` },
          },
        ],
      });
    } catch (error) {
      // e.g. a message too large for its origin topic: it stays on the dead-letter topic, named here.
      skipped++;
      process.stdout.write(`${offset}: not replayed: ${(error as Error).message}\n`);
      continue;
    }
    replayed++;
    process.stdout.write(
      `${offset}: replayed to ${origin.topic} (was ${origin.partition}@${origin.offset}, ${h[DeadLetterHeader.Error]})\n`,
    );
  }
  if (onlyOffset === undefined && high > (from ?? 0)) {
    await admin.setOffsets({
      groupId: REPLAY_GROUP,
      topic: Topic.DeadLetter,
      partitions: [{ partition: 0, offset: String(high) }],
    });
  }
  await admin.disconnect();
  await producer.disconnect();
  process.stdout.write(`${replayed} replayed, ${skipped} not replayable, ${refused} refused\n`);
  // A refusal is a dead letter no service's consumer wrote as it stands: an operator must look at it.
  if (refused > 0) process.exitCode = 2;
}

export async function runDeadLetters(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const offsetAt = rest.indexOf('--offset');
  const onlyOffset = offsetAt >= 0 ? Number(rest[offsetAt + 1]) : undefined;
  if (onlyOffset !== undefined && !Number.isInteger(onlyOffset))
    throw new Error('--offset needs a record offset (see `list`)');
  // As the admin principal (KAFKA_ADMIN_PASSWORD): an operator's tool, which reads the dead letters and writes to any origin topic.
  const kafka = new Kafka({
    clientId: 'hub-dead-letters',
    ...kafkaClientConfig(brokers()),
    logLevel: logLevel.NOTHING,
  });
  if (action === 'list') return list(kafka);
  if (action === 'replay') return replay(kafka, onlyOffset);
  throw new Error('usage: npm run dead-letters -- list | replay [--offset N]');
}
