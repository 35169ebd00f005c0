/**
 * Where a backlog builds up, measured from the outside while a phase runs:
 *   - consumer lag per consumer group and topic (end offset − committed offset), every second;
 *   - what the services' PostgreSQL connections are doing (pg_stat_activity: active, waiting on a lock, idle
 *     in transaction…), every 250 ms.
 * A stage that is the bottleneck shows as the group whose lag grows, or the connections that wait.
 */
import { Admin, Consumer, Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { AUDIT_TOPICS, Topic } from '@hub/contracts/topics';
import { kafkaClientConfig } from '@hub/testing/local-hub';
import { summarize } from './metrics';
import type { ServiceCounters } from './environment';
import type { SendCounts } from './preload/count-preload';
import type { ConsumerLag, PhaseObservations, StageLatencies, WorkPerAlert } from './results';

/**
 * Deliveries travel on one of two topics: one message per (version, recipient) on alerts.deliveries.v1, or — after
 * the "deliveries per version" change — one message per version on alerts.routed.v1 ({alertId, version,
 * deliveries: [{deliveryId, recipient, …}]}). The bench counts and times whichever exists (both, while both do).
 */
export const DELIVERY_TOPICS: readonly Topic[] = [Topic.AlertsDelivered, Topic.AlertsRouted];

/** The groups the bench knows the services use; any other group with committed offsets is found at run time. */
export const GROUP_TOPICS: Readonly<Record<string, readonly Topic[]>> = {
  'agency-gateway-deliveries': DELIVERY_TOPICS,
  'coordination-node-routing': [Topic.AlertsSubmitted],
  'coordination-node-feed': AUDIT_TOPICS,
  'audit-log-events': AUDIT_TOPICS,
};

/** Cumulative counters of the work done so far (see workCounters). */
export interface WorkCounters {
  topics: Record<string, number>;
  commits: number;
  rollbacks: number;
  tables: Record<string, { inserted: number; updated: number; deleted: number }>;
  /** pg_stat_wal: the whole server's WAL (the bench's databases are the only busy ones on a quiet machine). */
  wal: { records: number; bytes: number; writes: number; syncs: number } | null;
  /** What each service sent and consumed (count-preload.ts), when the hub runs with it. */
  services: Record<string, SendCounts> | null;
}

interface ObservedPhase {
  name: string;
  lag: ConsumerLag;
  lagSeries: ({ t: number } & ConsumerLag)[];
  pgSamples: number;
  pg: Record<string, Record<string, number>>;
  startedAt: number;
}

export class Diagnostics {
  private readonly brokers: string[];
  private readonly pg: Pool;
  private readonly database: string;
  private phase: ObservedPhase | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly busy = { lag: false, pg: false };
  private admin: Admin | undefined;
  private deliveryTopics: Topic[] = [];
  private existingTopics = new Set<string>();
  private groupCache: { at: number; map: Map<string, Set<string>> } | undefined;

  private readonly counters: ServiceCounters | null;

  constructor({
    brokers,
    pg,
    database = 'hub_bench',
    counters = null,
  }: {
    brokers: string[];
    pg: Pool;
    database?: string;
    counters?: ServiceCounters | null;
  }) {
    this.brokers = brokers;
    this.pg = pg;
    this.database = database;
    this.counters = counters;
  }

  private get kafkaAdmin(): Admin {
    if (!this.admin) throw new Error('Diagnostics.start() has not run');
    return this.admin;
  }

  async start(): Promise<void> {
    this.admin = new Kafka({
      clientId: 'bench-diagnostics',
      ...kafkaClientConfig(this.brokers),
      logLevel: logLevel.NOTHING,
    }).admin();
    await this.admin.connect();
    const existing = new Set(await this.admin.listTopics());
    this.deliveryTopics = DELIVERY_TOPICS.filter((topic) => existing.has(topic));
    this.existingTopics = existing;
    const lagTimer = setInterval(() => void this.sampleLag(), 1000);
    const pgTimer = setInterval(() => void this.samplePg(), 250);
    for (const timer of [lagTimer, pgTimer]) timer.unref();
    this.timers.push(lagTimer, pgTimer);
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.admin?.disconnect().catch(() => undefined);
  }

  mark(name: string): void {
    this.phase = { name, lag: {}, lagSeries: [], pgSamples: 0, pg: {}, startedAt: Date.now() };
  }

  /**
   * Which group reads which topic: every consumer group of the services (any group not the bench's own) with the
   * topics it has committed offsets on — so whichever delivery topic exists, and whatever group reads it, is
   * followed. Refreshed every 5 s. Only if the broker cannot list groups: the known groups' topics that exist.
   */
  async groupTopics(): Promise<Map<string, Set<string>>> {
    if (this.groupCache && Date.now() - this.groupCache.at < 5000) return this.groupCache.map;
    const map = new Map<string, Set<string>>();
    try {
      const { groups } = await this.kafkaAdmin.listGroups();
      for (const { groupId } of groups.sort((a, b) => a.groupId.localeCompare(b.groupId))) {
        if (groupId.startsWith('bench-')) continue;
        const offsets = await this.kafkaAdmin.fetchOffsets({ groupId });
        for (const { topic, partitions } of offsets.sort((a, b) => a.topic.localeCompare(b.topic))) {
          if (!partitions.some((p) => Number(p.offset) >= 0)) continue;
          const topics = map.get(groupId) || new Set<string>();
          map.set(groupId, topics.add(topic));
        }
      }
    } catch {
      map.clear();
      for (const [groupId, topics] of Object.entries(GROUP_TOPICS)) {
        const present = topics.filter((topic) => this.existingTopics.has(topic));
        if (present.length) map.set(groupId, new Set(present));
      }
    }
    this.groupCache = { at: Date.now(), map };
    return map;
  }

  /** Lag per group/topic right now (used at the end of the posting window). */
  async lagNow(): Promise<ConsumerLag> {
    const result: ConsumerLag = {};
    type Offsets = Awaited<ReturnType<Admin['fetchTopicOffsets']>>;
    const ends = new Map<string, Offsets>();
    const endsOf = async (topic: string): Promise<Offsets> => {
      const known = ends.get(topic);
      if (known) return known;
      const fetched = await this.kafkaAdmin.fetchTopicOffsets(topic);
      ends.set(topic, fetched);
      return fetched;
    };
    for (const [groupId, topics] of await this.groupTopics()) {
      for (const topic of topics) {
        const [offsets, committed] = await Promise.all([
          endsOf(topic),
          this.kafkaAdmin.fetchOffsets({ groupId, topics: [topic] }),
        ]);
        const end = new Map(offsets.map((p) => [p.partition, Number(p.high)]));
        const low = new Map(offsets.map((p) => [p.partition, Number(p.low)]));
        let lag = 0;
        for (const { partition, offset } of committed[0].partitions) {
          const at = Number(offset) < 0 ? (low.get(partition) ?? 0) : Number(offset);
          lag += Math.max(0, (end.get(partition) ?? 0) - at);
        }
        result[`${groupId} ← ${topic}`] = lag;
      }
    }
    return result;
  }

  private async sampleLag(): Promise<void> {
    if (!this.phase || this.busy.lag) return;
    this.busy.lag = true;
    const phase = this.phase;
    try {
      const lag = await this.lagNow();
      phase.lagSeries.push({ t: Math.round((Date.now() - phase.startedAt) / 1000), ...lag });
      for (const [key, value] of Object.entries(lag)) phase.lag[key] = Math.max(phase.lag[key] || 0, value);
    } catch {
      /* a rebalance or a busy broker: next second */
    } finally {
      this.busy.lag = false;
    }
  }

  private async samplePg(): Promise<void> {
    if (!this.phase || this.busy.pg) return;
    this.busy.pg = true;
    const phase = this.phase;
    try {
      const { rows } = await this.pg.query<{ app: string; state: string; wait: string; n: number }>(
        `SELECT application_name AS app, state, coalesce(wait_event_type || ':' || wait_event, 'on CPU') AS wait, count(*)::int AS n
         FROM pg_stat_activity WHERE datname = $1 AND application_name <> 'bench-observer' AND state <> 'idle'
         GROUP BY 1, 2, 3`,
        [this.database],
      );
      phase.pgSamples++;
      for (const row of rows) {
        const app = row.app.replace(/-listen$/, ' (LISTEN)') || '(unnamed)';
        const key = `${row.state} / ${row.wait}`;
        phase.pg[app] = phase.pg[app] || {};
        phase.pg[app][key] = (phase.pg[app][key] || 0) + row.n;
      }
    } catch {
      /* next sample */
    } finally {
      this.busy.pg = false;
    }
  }

  /** Polls until no consumer group lags (or the deadline); returns { ok, lag }. */
  async waitCaughtUp(deadline: number): Promise<{ ok: boolean; lag: ConsumerLag | null }> {
    let lag: ConsumerLag | null = null;
    while (Date.now() < deadline) {
      try {
        lag = await this.lagNow();
        if (Object.values(lag).every((v) => v === 0)) return { ok: true, lag };
      } catch {
        /* retry */
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return { ok: false, lag };
  }

  /**
   * Cumulative work counters: messages on each topic (end offsets), and from PostgreSQL the committed
   * transactions of the bench database and the rows inserted per table.
   */
  async workCounters(): Promise<WorkCounters> {
    const topics: Record<string, number> = {};
    for (const topic of [Topic.AlertsSubmitted, ...this.deliveryTopics, ...AUDIT_TOPICS]) {
      const offsets = await this.kafkaAdmin.fetchTopicOffsets(topic);
      topics[topic] = offsets.reduce((acc, p) => acc + Number(p.high), 0);
    }
    const db = (
      await this.pg.query<{ commits: string; rollbacks: string }>(
        `SELECT xact_commit::bigint AS commits, xact_rollback::bigint AS rollbacks FROM pg_stat_database WHERE datname = $1`,
        [this.database],
      )
    ).rows[0];
    const tables: WorkCounters['tables'] = {};
    for (const row of (
      await this.pg.query<{ t: string; ins: string; upd: string; del: string }>(
        `SELECT schemaname || '.' || relname AS t, n_tup_ins::bigint AS ins, n_tup_upd::bigint AS upd, n_tup_del::bigint AS del FROM pg_stat_user_tables`,
      )
    ).rows) {
      tables[row.t] = { inserted: Number(row.ins), updated: Number(row.upd), deleted: Number(row.del) };
    }
    const walRow = (
      await this.pg
        .query<{ records: string; bytes: string; writes: string; syncs: string }>(
          `SELECT wal_records::bigint AS records, wal_bytes::bigint AS bytes, wal_write::bigint AS writes, wal_sync::bigint AS syncs FROM pg_stat_wal`,
        )
        .catch(() => ({ rows: [] }))
    ) // before PostgreSQL 14
    .rows[0];
    const wal = walRow
      ? {
          records: Number(walRow.records),
          bytes: Number(walRow.bytes),
          writes: Number(walRow.writes),
          syncs: Number(walRow.syncs),
        }
      : null;
    const services = this.counters ? await this.counters.snapshot().catch(() => null) : null;
    return { topics, commits: Number(db.commits), rollbacks: Number(db.rollbacks), tables, wal, services };
  }

  /** Per accepted alert: Kafka messages per topic, database transactions, rows written per table (top ones). */
  perAlert(before: WorkCounters | null, after: WorkCounters | null, alerts: number): WorkPerAlert | null {
    return workPerAlert(before, after, alerts);
  }

  /** Ends the phase: max lag per group/topic, the lag curve, and average busy connections per app and state. */
  end(): PhaseObservations | null {
    const phase = this.phase;
    this.phase = null;
    if (!phase) return null;
    const connections: PhaseObservations['averageBusyDatabaseConnections'] = {};
    for (const [app, states] of Object.entries(phase.pg)) {
      connections[app] = Object.fromEntries(
        Object.entries(states)
          .map(([state, total]): [string, number] => [
            state,
            Math.round((total / Math.max(1, phase.pgSamples)) * 100) / 100,
          ])
          .sort((a, b) => b[1] - a[1]),
      );
    }
    return {
      maxConsumerLag: phase.lag,
      consumerLagEverySecond: phase.lagSeries,
      averageBusyDatabaseConnections: connections,
    };
  }
}

/** Per accepted alert: Kafka messages per topic, database transactions, rows written per table (top ones). */
export function workPerAlert(
  before: WorkCounters | null,
  after: WorkCounters | null,
  alerts: number,
): WorkPerAlert | null {
  if (!before || !after || alerts === 0) return null;
  const per = (a: number, b: number) => Math.round(((a - b) / alerts) * 100) / 100;
  const kafkaMessages: Record<string, number> = {};
  for (const topic of Object.keys(after.topics))
    kafkaMessages[topic] = per(after.topics[topic], before.topics[topic] || 0);
  const rows: [string, number][] = [];
  for (const [table, now] of Object.entries(after.tables)) {
    const was = before.tables[table] || { inserted: 0, updated: 0, deleted: 0 };
    const written = now.inserted - was.inserted + (now.updated - was.updated) + (now.deleted - was.deleted);
    if (written > 0) rows.push([table, per(written, 0)]);
  }
  rows.sort((a, b) => b[1] - a[1]);
  const wal =
    before.wal && after.wal
      ? {
          records: per(after.wal.records, before.wal.records),
          bytes: per(after.wal.bytes, before.wal.bytes),
          writes: per(after.wal.writes, before.wal.writes),
          syncs: per(after.wal.syncs, before.wal.syncs),
        }
      : null;
  return {
    kafkaMessages,
    databaseTransactions: per(after.commits + after.rollbacks, before.commits + before.rollbacks),
    rowsWrittenByTable: Object.fromEntries(rows.slice(0, 15)),
    walPerAlert: wal,
    services: before.services && after.services ? serviceWork(before.services, after.services, alerts) : null,
    note: 'counted from topic end offsets, pg_stat_database / pg_stat_user_tables / pg_stat_wal (statistics are flushed by PostgreSQL with a delay of up to ~1 s) and inside each service (count-preload.ts: statements, COMMITs, produce calls, kafkajs requests by API, consumer batches)',
  };
}

/** Per service: statements, COMMITs, produce calls and Kafka requests by API per alert; consumer batches by topic. */
export function serviceWork(
  before: Record<string, SendCounts>,
  after: Record<string, SendCounts>,
  alerts: number,
): NonNullable<WorkPerAlert['services']> {
  const per = (a: number, b: number) => Math.round(((a - b) / alerts) * 100) / 100;
  const result: NonNullable<WorkPerAlert['services']> = {};
  for (const [app, now] of Object.entries(after)) {
    const was = before[app];
    if (!was) continue;
    const requests: Record<string, number> = {};
    for (const [api, count] of Object.entries(now.kafkaRequests ?? {})) {
      const value = per(count, was.kafkaRequests?.[api] ?? 0);
      if (value > 0) requests[api] = value;
    }
    const batches: Record<string, { batches: number; bySize: Record<string, number> }> = {};
    for (const [topic, buckets] of Object.entries(now.batchSizes ?? {})) {
      const bySize: Record<string, number> = {};
      let total = 0;
      for (const [bucket, count] of Object.entries(buckets)) {
        const moved = count - (was.batchSizes?.[topic]?.[bucket] ?? 0);
        if (moved > 0) {
          bySize[bucket] = moved;
          total += moved;
        }
      }
      if (total > 0) batches[topic] = { batches: total, bySize };
    }
    result[app] = {
      sqlStatements: per(now.statements, was.statements),
      commits: per(now.commits, was.commits),
      produceCalls: per(now.produceCalls, was.produceCalls),
      kafkaRequests: requests,
      consumerBatches: batches,
    };
  }
  return result;
}

/**
 * Per-hop latency from Kafka's own record timestamps (CreateTime, set by each service's producer, same clock
 * as this process): submission on alerts.submitted.v1 → delivery on alerts.deliveries.v1 or alerts.routed.v1,
 * whichever exists (the coordination node's routing, including its consumer lag) → delivery seen on the recipient's
 * stream (the gateway's inbox consumer, its transaction, the SSE read and its audit). A consumer group of its own,
 * reading from the end. `topicsSeen` says which delivery topic actually carried records.
 */
/** A delivery seen on a recipient's stream, with when it was accepted and seen (epoch ms). */
export interface VisibleDelivery {
  alertId: string;
  recipient: string;
  acceptedEpoch: number;
  visibleEpoch: number;
}

interface DeliveryRecord {
  alertId: string;
  recipient?: string;
  deliveries?: ({ recipient?: string } | null)[];
}

export class StageObserver {
  private readonly brokers: string[];
  private readonly submittedAt = new Map<string, number>();
  private readonly deliveredAt = new Map<string, number>();
  private readonly topicsSeen: Record<string, number> = {};
  private consumer: Consumer | undefined;
  private deliveryTopics: Topic[] = [];

  constructor({ brokers }: { brokers: string[] }) {
    this.brokers = brokers;
  }

  /** alerts.deliveries.v1: {alertId, recipient, …}; alerts.routed.v1: {alertId, deliveries: [{recipient, …}]}. */
  recordDelivery(topic: string, value: Buffer | null, ts: number): void {
    const parsed = JSON.parse(String(value)) as DeliveryRecord;
    const recipients = Array.isArray(parsed.deliveries)
      ? parsed.deliveries.map((d) => d && d.recipient)
      : [parsed.recipient];
    for (const recipient of recipients) {
      const key = `${parsed.alertId}:${recipient}`;
      if (!this.deliveredAt.has(key)) this.deliveredAt.set(key, ts);
    }
    this.topicsSeen[topic] = (this.topicsSeen[topic] || 0) + 1;
  }

  async start(): Promise<void> {
    const consumer = new Kafka({
      clientId: 'bench-stage-observer',
      ...kafkaClientConfig(this.brokers),
      logLevel: logLevel.NOTHING,
    }).consumer({
      groupId: `bench-stage-observer-${Date.now()}`,
      maxWaitTimeInMs: 100,
    });
    this.consumer = consumer;
    await consumer.connect();
    const admin = new Kafka({
      clientId: 'bench-stage-observer-admin',
      ...kafkaClientConfig(this.brokers),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    await admin.disconnect();
    this.deliveryTopics = DELIVERY_TOPICS.filter((topic) => existing.has(topic));
    await consumer.subscribe({ topics: [Topic.AlertsSubmitted, ...this.deliveryTopics], fromBeginning: false });
    const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
    await consumer.run({
      partitionsConsumedConcurrently: 6,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const ts = Number(message.timestamp);
          if (batch.topic === Topic.AlertsSubmitted) {
            const key = String(message.key);
            if (!this.submittedAt.has(key)) this.submittedAt.set(key, ts);
          } else {
            try {
              this.recordDelivery(batch.topic, message.value, ts);
            } catch {
              /* not ours */
            }
          }
        }
      },
    });
    await joined;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }

  /** Percentiles per hop (ms) of the deliveries a phase saw. */
  stages(visible: VisibleDelivery[]): StageLatencies {
    const routing: number[] = [];
    const inbox: number[] = [];
    const accept: number[] = [];
    for (const v of visible) {
      const submitted = this.submittedAt.get(v.alertId);
      const delivered = this.deliveredAt.get(`${v.alertId}:${v.recipient}`);
      if (submitted !== undefined) accept.push(v.acceptedEpoch - submitted);
      if (submitted !== undefined && delivered !== undefined) routing.push(delivered - submitted);
      if (delivered !== undefined) inbox.push(v.visibleEpoch - delivered);
    }
    return {
      note: 'Kafka record timestamps have 1 ms resolution',
      deliveryTopicRecords: { ...this.topicsSeen },
      submissionInKafkaTo202ReadByClient: summarize(accept),
      routingSubmittedToDeliveryInKafka: summarize(routing),
      deliveryInKafkaToRecipientStream: summarize(inbox),
    };
  }
}
