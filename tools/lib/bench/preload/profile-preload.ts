/**
 * Loaded into a service with NODE_OPTIONS=--require only by `npm run bench -- --profile <app>`. For the measured
 * window — from when the file <BENCH_PROFILE_DIR>/start appears until <BENCH_PROFILE_DIR>/stop appears — it
 *   - records a V8 CPU profile: <BENCH_PROFILE_NAME>.cpuprofile (open it in Chrome DevTools);
 *   - counts SQL statements sent through `pg` (by statement text) and Kafka produce calls and messages through
 *     kafkajs producers (by topic): <BENCH_PROFILE_NAME>.counts.json.
 * Files rather than signals: Nest's shutdown hooks treat SIGUSR2 as a shutdown signal. The service's code is
 * not changed; the counters wrap pg.Client#query and the producers kafkajs hands out. Compiled to JavaScript by the
 * bench (compile.ts).
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { observeProduceCalls, observeStatements } from './send-hooks';

/** <name>.counts.json: statements by text (most frequent first) and Kafka sends over the measured window. */
export interface ProfileCounts {
  queries: Record<string, number>;
  kafka: { sends: number; messages: number; byTopic: Record<string, number> };
}

const dir = process.env.BENCH_PROFILE_DIR;
const name = process.env.BENCH_PROFILE_NAME || String(process.pid);
// Not for the service's own children (migrations and the like).
delete process.env.NODE_OPTIONS;

if (dir) {
  let counting = false;
  const queries = new Map<string, number>();
  const kafka: ProfileCounts['kafka'] = { sends: 0, messages: 0, byTopic: {} };
  observeStatements((text) => {
    if (!counting) return;
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 140);
    queries.set(key, (queries.get(key) || 0) + 1);
  });
  observeProduceCalls((topicMessages) => {
    if (!counting) return;
    kafka.sends++;
    for (const { topic, messages } of topicMessages) {
      kafka.messages += messages.length;
      kafka.byTopic[topic] = (kafka.byTopic[topic] || 0) + messages.length;
    }
  });

  const session = new inspector.Session();
  session.connect();
  let state: 'idle' | 'running' | 'done' = 'idle';
  const timer = setInterval(() => {
    if (state === 'idle' && fs.existsSync(path.join(dir, 'start'))) {
      state = 'running';
      counting = true;
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')),
      );
    } else if (state === 'running' && fs.existsSync(path.join(dir, 'stop'))) {
      state = 'done';
      counting = false;
      clearInterval(timer);
      const counts: ProfileCounts = {
        queries: Object.fromEntries([...queries.entries()].sort((a, b) => b[1] - a[1])),
        kafka,
      };
      fs.writeFileSync(path.join(dir, `${name}.counts.json`), JSON.stringify(counts, null, 2));
      session.post('Profiler.stop', (error, result) => {
        if (!error) fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(result.profile));
        session.disconnect();
      });
    }
  }, 100);
  timer.unref();
}
