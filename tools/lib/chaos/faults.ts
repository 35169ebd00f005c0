import { randomUUID } from 'node:crypto';
import { Admin, Producer } from 'kafkajs';
import { Topic } from '@hub/contracts/topics';
import { DATABASE, DRAIN_LIMIT_MS, log, rssMb, sleep, until } from './common';
import type { Load } from './load';
import type { Topology } from './topology';

/** A fault: injected (returning what it hit, when that is worth saying), held, then healed. */
export interface Fault {
  name: string;
  inject(): Promise<string | void>;
  heal(): Promise<unknown>;
  /** How long it is held; the run's --hold unless set. */
  holdMs?: number;
}

/** A poison message put on a topic, where it must be dead-lettered and passed. */
export interface Poison {
  topic: string;
  partition: number;
  offset: string;
}

/** What one fault did to the load. */
export interface FaultResult {
  fault: string;
  detail: string | null;
  heldS: number;
  acceptAgainS: number | null;
  inFlightAtFault: number;
  deliveredAgainS: number | null;
  healedAfterS: number;
  fiveXx: number;
  noAnswer: number;
  peakRssMb: Record<string, number>;
}

/** The exchange topics the poison goes on: a submission, a routing, an audit fact. */
const POISONED_TOPICS = [Topic.AlertsSubmitted, Topic.AlertsRouted, Topic.AuditEventsFromGateway];

/** The leader broker of partition 0 of `topic`. */
async function leaderOf(kafkaAdmin: Admin, topic: Topic): Promise<number> {
  const metadata = await kafkaAdmin.fetchTopicMetadata({ topics: [topic] });
  const partition = metadata.topics[0].partitions.find((p) => p.partitionId === 0);
  if (!partition) throw new Error(`${topic} has no partition 0`);
  return partition.leader;
}

/**
 * Every fault of the run, in order: kill -9 of each replica, kill -9 of a partition-leader broker, a broker frozen,
 * the database refusing and dropping the hub's connections, a poison message on each exchange topic (recorded in
 * `poisons` for the invariants).
 */
export function defineFaults(topology: Topology, kafkaAdmin: Admin, producer: Producer, poisons: Poison[]): Fault[] {
  const { replicas, cluster, owner } = topology;
  const faults: Fault[] = replicas.map((replica) => ({
    name: `kill -9 ${replica.name}`,
    inject: async () => {
      replica.handle?.child.kill('SIGKILL');
    },
    heal: async () => {
      await replica.handle?.exited;
      await replica.start();
    },
  }));
  let leaderNode = 0;
  faults.push({
    name: 'kill -9 the leader broker of alerts.submitted/0',
    inject: async () => {
      leaderNode = await leaderOf(kafkaAdmin, Topic.AlertsSubmitted);
      cluster.kill(leaderNode, 'SIGKILL');
      return `node ${leaderNode}`;
    },
    heal: async () => cluster.start(leaderNode),
  });
  let frozenNode = 0;
  faults.push({
    name: 'SIGSTOP a broker (the leader of alerts.routed/0)',
    inject: async () => {
      frozenNode = await leaderOf(kafkaAdmin, Topic.AlertsRouted);
      cluster.kill(frozenNode, 'SIGSTOP');
      return `node ${frozenNode}`;
    },
    heal: async () => cluster.kill(frozenNode, 'SIGCONT'),
  });
  faults.push({
    name: 'database: hub connections terminated, new ones refused',
    inject: () =>
      owner(async (c) => {
        await c.query(`ALTER DATABASE ${DATABASE} ALLOW_CONNECTIONS false`);
        await c.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
          [DATABASE],
        );
      }),
    heal: () => owner((c) => c.query(`ALTER DATABASE ${DATABASE} ALLOW_CONNECTIONS true`)),
  });
  faults.push({
    name: 'a poison message on each exchange topic (partition 0)',
    inject: async () => {
      for (const topic of POISONED_TOPICS) {
        const [meta] = await producer.send({
          topic,
          acks: -1,
          messages: [{ key: 'chaos-poison', value: `{not json: chaos poison ${randomUUID()}`, partition: 0 }],
        });
        poisons.push({ topic, partition: 0, offset: meta.baseOffset as string });
      }
      return poisons.map((p) => `${p.topic}@${p.offset}`).join(' ');
    },
    heal: async () => undefined,
    holdMs: 0,
  });
  return faults;
}

/**
 * --faults broker,poison: only the faults whose name contains one of the words (the run's invariants are the same).
 * --repeat N: the selected sequence N times over (an intermittent fault needs many tries).
 */
export function selectFaults(faults: Fault[], words: string[], repeat: number): Fault[] {
  const chosen = words.length ? faults.filter((f) => words.some((word) => f.name.includes(word))) : faults;
  if (chosen.length === 0) throw new Error(`no fault matches --faults ${words.join(',')}`);
  return Array.from({ length: repeat }, () => chosen).flat();
}

/** Each fault in turn under the load: inject, hold, heal, then wait until what was in flight at the fault arrived. */
export async function runFaults(
  selected: Fault[],
  { load, topology, holdMs }: { load: Load; topology: Topology; holdMs: number },
): Promise<FaultResult[]> {
  const results: FaultResult[] = [];
  for (const fault of selected) results.push(await runFault(fault, load, topology, fault.holdMs ?? holdMs));
  return results;
}

async function runFault(fault: Fault, load: Load, { replicas }: Topology, holdMs: number): Promise<FaultResult> {
  const sampleRss = () => {
    const byApp: Record<string, number> = {};
    for (const r of replicas) byApp[r.app] = Math.max(byApp[r.app] || 0, r.handle ? rssMb(r.handle.child.pid) : 0);
    return byApp;
  };
  const inFlight = load.notYetStreamed();
  const pending = new Set(inFlight.map((d) => `${d.recipient}|${d.alertId}:${d.version}`));
  const t0 = Date.now();
  const injected = await fault.inject();
  const detail = typeof injected === 'string' ? injected : null;
  log(`FAULT ${fault.name}${detail ? ` (${detail})` : ''}; ${inFlight.length} deliveries in flight`);
  // Watched from the fault on, not from the heal: with a second replica the in-flight work may well be delivered
  // while the fault still holds. RSS is sampled from the heal on, while the backlog drains.
  const peak: Record<string, number> = {};
  let drainedAt: number | null = null;
  let healed = false;
  let sampling = false;
  const watched = until(
    async () => {
      if (sampling) for (const [app, mb] of Object.entries(sampleRss())) peak[app] = Math.max(peak[app] || 0, mb);
      for (const key of pending) {
        const [recipient, delivery] = key.split('|');
        if (load.ledger.streamed.get(recipient)?.has(delivery)) pending.delete(key);
      }
      if (pending.size === 0 && drainedAt === null) drainedAt = Date.now();
      return drainedAt !== null && healed && replicas.every((r) => r.handle?.child.exitCode === null);
    },
    { timeoutMs: holdMs + DRAIN_LIMIT_MS, intervalMs: 1000 },
  );
  await sleep(holdMs);
  const healStarted = Date.now();
  sampling = true;
  await fault.heal();
  healed = true;
  log(`healed ${fault.name}`);
  const drained = await watched;
  const window = load.ledger.statuses.filter((s) => s.at >= t0);
  const firstAccept = load.ledger.submissions
    .map((s) => s.response && Date.parse(s.response.acceptedAt))
    .filter((at) => at >= t0)
    .sort((a, b) => a - b)[0];
  const deliveredAt = drainedAt as number | null;
  const result: FaultResult = {
    fault: fault.name,
    detail,
    heldS: Math.round((healStarted - t0) / 1000),
    acceptAgainS: firstAccept ? Math.round((firstAccept - t0) / 100) / 10 : null,
    inFlightAtFault: inFlight.length,
    deliveredAgainS: deliveredAt ? Math.round((deliveredAt - t0) / 100) / 10 : null,
    healedAfterS: Math.round((Date.now() - healStarted) / 100) / 10,
    fiveXx: window.filter((s) => s.status >= 500).length,
    noAnswer: window.filter((s) => s.status === 0).length,
    peakRssMb: peak,
  };
  log(
    `  → accepted again after ${result.acceptAgainS} s, in-flight delivered ${drained ? `after ${result.deliveredAgainS} s` : 'NOT within the limit'}, ` +
      `5xx ${result.fiveXx}, no answer ${result.noAnswer}, peak RSS ${JSON.stringify(peak)}`,
  );
  return result;
}
