/**
 * Loaded into every bench service with NODE_OPTIONS=--require (never outside `npm run bench`): cumulative counts of
 * what the service sends — SQL statements through `pg` (and, of them, COMMITs) and Kafka produce calls and messages
 * per topic through kafkajs producers — so the bench can say, per alert, what each service did (the cost table).
 * Counting is an integer increment per statement or send; the service's code is not changed.
 *
 * The bench asks for a snapshot by writing a token into <BENCH_COUNT_DIR>/request; within ~100 ms the service
 * writes { token, counts } to <BENCH_COUNT_DIR>/<BENCH_COUNT_NAME>.json. Files rather than signals: Nest's
 * shutdown hooks treat SIGUSR2 as a shutdown signal. Compiled to JavaScript by the bench (compile.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { batchBucket, observeClients, observeProduceCalls, observeStatements } from './send-hooks';

/** What a service has sent since it started (the bench's cost table reads it). */
export interface SendCounts {
  statements: number;
  commits: number;
  rollbacks: number;
  produceCalls: number;
  messages: number;
  messagesByTopic: Record<string, number>;
  /** Requests the service's kafkajs consumers and producers sent, by API (Produce, Fetch, OffsetCommit…). */
  kafkaRequests: Record<string, number>;
  /** Batches its consumers processed, by topic and size bucket (batchBucket). */
  batchSizes: Record<string, Record<string, number>>;
}

const dir = process.env.BENCH_COUNT_DIR;
const name = process.env.BENCH_COUNT_NAME || String(process.pid);
// Not for the service's own children (migrations and the like).
delete process.env.NODE_OPTIONS;

if (dir) {
  const counts: SendCounts = {
    statements: 0,
    commits: 0,
    rollbacks: 0,
    produceCalls: 0,
    messages: 0,
    messagesByTopic: {},
    kafkaRequests: {},
    batchSizes: {},
  };
  observeStatements((text) => {
    counts.statements++;
    // TypeORM ends a transaction with a bare COMMIT / ROLLBACK statement.
    if (/^\s*COMMIT\b/i.test(text)) counts.commits++;
    else if (/^\s*ROLLBACK\b/i.test(text)) counts.rollbacks++;
  });
  observeProduceCalls((topicMessages) => {
    counts.produceCalls++;
    for (const { topic, messages } of topicMessages) {
      counts.messages += messages.length;
      counts.messagesByTopic[topic] = (counts.messagesByTopic[topic] || 0) + messages.length;
    }
  });

  observeClients({
    request(apiName) {
      counts.kafkaRequests[apiName] = (counts.kafkaRequests[apiName] || 0) + 1;
    },
    batch(topic, size) {
      if (size === 0) return; // an empty fetch answered at maxWaitTime: counted as a Fetch request already
      const buckets = (counts.batchSizes[topic] ??= {});
      const bucket = batchBucket(size);
      buckets[bucket] = (buckets[bucket] || 0) + 1;
    },
  });

  let answered: string | null = null;
  const request = path.join(dir, 'request');
  const timer = setInterval(() => {
    let token: string;
    try {
      token = fs.readFileSync(request, 'utf8');
    } catch {
      return;
    }
    if (token === answered) return;
    answered = token;
    const file = path.join(dir, `${name}.json`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify({ token, counts }));
    fs.renameSync(`${file}.tmp`, file);
  }, 100);
  timer.unref();
}
