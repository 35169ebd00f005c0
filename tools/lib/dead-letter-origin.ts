import { randomUUID } from 'node:crypto';
import { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { DeadLetterHeader, Topic, TOPIC_SPECS } from '@hub/contracts/topics';

/** How long reading one origin record may take before the dead letter is reported as not checkable. */
const ORIGIN_READ_TIMEOUT_MS = 60_000;

/** The record a dead letter may be replayed as: the original, exactly as its writer wrote it on its origin topic. */
export interface OriginRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export type ReplayCheck = { replay: OriginRecord } | { refused: string };

/**
 * Whether a dead letter may be replayed, and as what. Every service may write the dead-letter topic, so its headers
 * and bytes vouch for nothing: replay re-publishes the original record, re-read at the origin topic, partition and
 * offset the headers name, and only when the dead letter holds that record (same key, same value, or the value as
 * the consumer re-serialised it). So replay writes only what the origin topic's own writer wrote
 * (docs/decisions/006-trust-model.md). Refused: a dead letter with no origin offset (an outbox row that never reached
 * its topic: nothing there vouches for it), one whose origin record is gone or differs, and, on a compacted topic, one
 * whose key has a later record (re-publishing the older one would, once compacted, undo the newer, e.g. a revocation).
 */
export async function checkReplayable(kafka: Kafka, deadLetter: KafkaMessage): Promise<ReplayCheck> {
  const header = (name: string) => deadLetter.headers?.[name]?.toString();
  const topic = header(DeadLetterHeader.Topic);
  const spec = TOPIC_SPECS.find((s) => s.topic === topic);
  if (topic === undefined || spec === undefined || topic === Topic.DeadLetter)
    return { refused: `its origin topic ${JSON.stringify(topic ?? null)} is not a hub topic` };
  const partition = Number(header(DeadLetterHeader.Partition));
  const named = header(DeadLetterHeader.Offset) ?? '';
  if (!Number.isInteger(partition) || partition < 0 || !/^\d{1,19}$/.test(named))
    return {
      refused: `it names no record of ${topic} (${header(DeadLetterHeader.Partition)}@${named}): nothing vouches for it`,
    };
  const offset = BigInt(named).toString();

  const later: string[] = [];
  const seen: { original: KafkaMessage | null } = { original: null };
  const found = await readPartitionFrom(kafka, topic, partition, offset, (message) => {
    if (seen.original === null) {
      if (message.offset !== offset) return 'stop'; // compacted or deleted away
      seen.original = message;
      return spec.compacted ? 'more' : 'stop';
    }
    if (sameBytes(message.key, seen.original.key)) later.push(message.offset);
    return 'more';
  });
  const record = seen.original;
  if (found === 'timeout') return { refused: `reading ${topic}[${partition}]@${offset} timed out` };
  if (record === null) return { refused: `${topic}[${partition}]@${offset} is no longer on its topic` };
  if (!holdsRecord(deadLetter, record))
    return {
      refused: `it differs from the record at ${topic}[${partition}]@${offset}: not written by that topic's writer`,
    };
  if (later.length > 0)
    return { refused: `${topic}[${partition}]@${offset} was superseded by a later record for its key (@${later[0]})` };
  return {
    replay: { topic, partition, offset, key: record.key, value: record.value, headers: record.headers ?? {} },
  };
}

/** The dead letter holds the record: same key, and the same value bytes or the consumer's re-serialisation of them. */
export function holdsRecord(
  deadLetter: Pick<KafkaMessage, 'key' | 'value'>,
  record: Pick<KafkaMessage, 'key' | 'value'>,
): boolean {
  // The consumer dead-letters a null key as the empty string.
  const keyOf = (key: Buffer | null) => (key === null ? '' : key.toString('utf8'));
  if (keyOf(deadLetter.key) !== keyOf(record.key)) return false;
  if (deadLetter.value === null || record.value === null) return deadLetter.value === record.value;
  return deadLetter.value.equals(record.value) || deadLetter.value.toString('utf8') === reserialised(record.value);
}

/** What libs/kafka's message handler puts on the dead-letter topic for `value`: parsed JSON re-stated, else the text. */
function reserialised(value: Buffer): string {
  const text = value.toString('utf8');
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return JSON.stringify(text);
  }
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

/**
 * Reads one partition from `offset` up to its current end, passing each record to `visit` until it says stop.
 * 'done' when the end was reached or visit stopped, 'timeout' when the records did not arrive in time.
 */
async function readPartitionFrom(
  kafka: Kafka,
  topic: string,
  partition: number,
  offset: string,
  visit: (message: KafkaMessage) => 'more' | 'stop',
): Promise<'done' | 'timeout'> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin
    .fetchTopicOffsets(topic)
    .then((all) => all.find((p) => p.partition === partition))
    .finally(() => admin.disconnect());
  if (!offsets) return 'done';
  const [low, high] = [Number(offsets.low), Number(offsets.high)];
  if (Number(offset) < low || Number(offset) >= high) return 'done';
  // A fresh group starting at the end of every partition: only the seeked one yields records.
  const consumer = kafka.consumer({ groupId: `hub-dead-letter-origin-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: false });
    return await new Promise<'done' | 'timeout'>((resolve, reject) => {
      const timer = setTimeout(() => resolve('timeout'), ORIGIN_READ_TIMEOUT_MS);
      const finish = () => {
        clearTimeout(timer);
        resolve('done');
      };
      let finished = false;
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition: from, message }) => {
            if (finished || from !== partition || Number(message.offset) < Number(offset)) return;
            if (visit(message) === 'stop' || Number(message.offset) >= high - 1) {
              finished = true;
              finish();
            }
          },
        })
        .catch(reject);
      consumer.seek({ topic, partition, offset });
    });
  } finally {
    await consumer.disconnect();
  }
}
