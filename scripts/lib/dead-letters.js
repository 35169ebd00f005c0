'use strict';
/**
 * npm run dead-letters -- list                 every record on hub.dead-letter.v1: origin, consumer, error
 * npm run dead-letters -- replay [--offset N]  sends dead-lettered records back to their origin topic, as they were
 *
 * Only a message at fault itself is dead-lettered (docs/decisions/002-delivery-guarantees.md); once its cause is
 * fixed (a handler that refused it, a contract that rejected it), replaying it is safe: every consumer is
 * idempotent. Replay keeps its place in the consumer group `hub-dead-letter-replay`, so each record is replayed
 * once; --offset replays one record whatever the group has done. Broker: KAFKA_BROKERS (default the local one), as
 * the Kafka admin (KAFKA_ADMIN_PASSWORD, default the local one outside production).
 */
const { Kafka, logLevel } = require('kafkajs');
const { kafkaClientConfig } = require('./kafka');

const DEAD_LETTER_TOPIC = 'hub.dead-letter.v1';
const REPLAY_GROUP = 'hub-dead-letter-replay';
const REPLAYED_HEADER = 'x-replayed-from';

function brokers() {
  return (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',').filter(Boolean);
}

function headersOf(message) {
  const headers = {};
  for (const [name, value] of Object.entries(message.headers || {})) headers[name] = value === undefined ? '' : String(value);
  return headers;
}

/** Reads records [from, high) of the single-partition dead-letter topic and calls `visit` for each. */
async function readDeadLetters(kafka, from, visit) {
  const admin = kafka.admin();
  await admin.connect();
  const [offsets] = await admin.fetchTopicOffsets(DEAD_LETTER_TOPIC);
  await admin.disconnect();
  const high = Number(offsets.high);
  const start = Math.max(Number(from ?? offsets.low), Number(offsets.low));
  if (start >= high) return { start, high };
  const consumer = kafka.consumer({ groupId: `hub-dead-letter-reader-${process.pid}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: DEAD_LETTER_TOPIC, fromBeginning: true });
  await new Promise((resolve, reject) => {
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
    consumer.seek({ topic: DEAD_LETTER_TOPIC, partition: 0, offset: String(start) });
  });
  await consumer.disconnect();
  return { start, high };
}

async function list(kafka) {
  let count = 0;
  const { high } = await readDeadLetters(kafka, undefined, async (message, offset) => {
    const h = headersOf(message);
    count++;
    process.stdout.write(
      `${offset}\t${h['x-origin-topic']}[${h['x-origin-partition']}]@${h['x-origin-offset']}\tconsumer=${h['x-consumer-group']}` +
        `\tattempts=${h['x-attempts']}${h[REPLAYED_HEADER] ? `\treplayed-from=${h[REPLAYED_HEADER]}` : ''}\t${h['x-error']}\n`,
    );
  });
  process.stdout.write(`${count} dead-lettered record(s); next offset ${high}\n`);
}

async function replay(kafka, onlyOffset) {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  let from;
  if (onlyOffset === undefined) {
    const [committed] = await admin.fetchOffsets({ groupId: REPLAY_GROUP, topics: [DEAD_LETTER_TOPIC] });
    const offset = committed.partitions[0] ? Number(committed.partitions[0].offset) : -1;
    from = offset >= 0 ? offset : undefined;
  } else from = onlyOffset;
  let replayed = 0;
  let skipped = 0;
  const { high } = await readDeadLetters(kafka, from, async (message, offset) => {
    if (onlyOffset !== undefined && offset !== onlyOffset) return;
    const h = headersOf(message);
    const value = message.value ? message.value.toString('utf8') : null;
    if (!h['x-origin-topic'] || (value && value.startsWith('{"truncated":true'))) {
      skipped++;
      process.stdout.write(`${offset}: not replayable (${h['x-origin-topic'] ? 'only a summary of the message was kept' : 'no origin topic'})\n`);
      return;
    }
    try {
      await producer.send({
        topic: h['x-origin-topic'],
        acks: -1,
        messages: [{ key: message.key, value: message.value, headers: { [REPLAYED_HEADER]: `${DEAD_LETTER_TOPIC}@${offset}` } }],
      });
    } catch (error) {
      // e.g. a message too large for its origin topic: it stays on the dead-letter topic, named here.
      skipped++;
      process.stdout.write(`${offset}: not replayed: ${error.message}\n`);
      return;
    }
    replayed++;
    process.stdout.write(`${offset}: replayed to ${h['x-origin-topic']} (was ${h['x-origin-partition']}@${h['x-origin-offset']}, ${h['x-error']})\n`);
  });
  if (onlyOffset === undefined && high > (from ?? 0)) {
    await admin.setOffsets({ groupId: REPLAY_GROUP, topic: DEAD_LETTER_TOPIC, partitions: [{ partition: 0, offset: String(high) }] });
  }
  await admin.disconnect();
  await producer.disconnect();
  process.stdout.write(`${replayed} replayed, ${skipped} not replayable\n`);
}

async function runDeadLetters(args) {
  const [action, ...rest] = args;
  const offsetAt = rest.indexOf('--offset');
  const onlyOffset = offsetAt >= 0 ? Number(rest[offsetAt + 1]) : undefined;
  if (onlyOffset !== undefined && !Number.isInteger(onlyOffset)) throw new Error('--offset needs a record offset (see `list`)');
  // As the admin principal (KAFKA_ADMIN_PASSWORD): an operator's tool, which reads the dead letters and writes to any origin topic.
  const kafka = new Kafka({ clientId: 'hub-dead-letters', ...kafkaClientConfig(brokers()), logLevel: logLevel.NOTHING });
  if (action === 'list') return list(kafka);
  if (action === 'replay') return replay(kafka, onlyOffset);
  throw new Error('usage: npm run dead-letters -- list | replay [--offset N]');
}

module.exports = { runDeadLetters, REPLAY_GROUP, REPLAYED_HEADER };
