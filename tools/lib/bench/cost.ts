/**
 * What one alert costs, and whether that grows with the number of agencies the hub knows (issue 11): fixed-size
 * batches posted with 8 known agencies, then again after onboarding more (50 in all). Per batch, counted from the
 * outside and from the services' own counters:
 *   - Kafka messages per topic: topic end offsets before and after;
 *   - audit entries per type: the audit log's seq range the batch added;
 *   - SQL statements and COMMITs per service: count-preload.js in each service (and the same counters over an idle
 *     window of the same length, so background polling can be told apart);
 *   - database transactions: pg_stat_database xact_commit + xact_rollback of the bench database (every client: the
 *     bench's own observer queries — the samplers' pg_stat_activity reads, these snapshots — are in it too).
 * Each batch ends when every delivery to an open stream arrived, every audit event is appended, no consumer group
 * lags, and the topic end offsets have not moved for 1.5 s (stream reads are audited after the fact).
 * Only the run's original agencies post and hold inbox streams; the onboarded ones are known to routing and
 * receive regional alerts in their inboxes, but read nothing.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Admin, Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { kafkaClientConfig } from '@hub/testing/local-hub';
import type { AuditProbe } from './audit';
import type { Diagnostics } from './diagnostics';
import type { ServiceCounters } from './environment';
import type { BenchAgency, CostOptions, HttpClient } from './exchange';
import { round1 } from './metrics';
import { alertContent } from './payload';
import type { SendCounts } from './preload/count-preload';
import type { CostBatchResult, CostResult, IdleRate, ServiceCost } from './results';
import type { Tracker } from './tracker';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What the cost batches post with and count with: the exchange's client, tracker and agencies, and the probes. */
export interface CostContext {
  client: HttpClient;
  tracker: Tracker;
  /** The run's original agencies: they post and hold inbox streams. */
  posters: BenchAgency[];
  recipientsFor: (senderIndex: number, n: number, agencies: readonly { id: string }[]) => string[];
  log: (line: string) => void;
  audit: Extract<AuditProbe, { available: true }>;
  pg: Pool;
  diagnostics: Diagnostics | null;
  brokers: string[];
  database: string;
  counters: ServiceCounters;
  /** Creates `count` more agencies, known to routing but reading nothing. */
  onboard(count: number): Promise<unknown>;
}

/** The context of the batches: plus the Kafka admin, the next alert number and the idle rates. */
interface CostRun extends CostContext {
  admin: Admin;
  offset: number;
  idle: Record<string, IdleRate>;
}

/** Everything the cost table counts, at one instant. */
export interface CostSnapshot {
  at: number;
  topics: Record<string, number>;
  services: Record<string, SendCounts>;
  auditSeq: number;
  transactions: number;
}

/** Regional scope (every active agency but the sender), TLP AMBER: routing weighs every known agency. */
export function regionalContent(n: number): ReturnType<typeof alertContent> {
  const content = alertContent(n, []);
  content.distribution = { scope: 'regional', recipients: [], sharingGroups: [] };
  return content;
}

/** Total messages on every topic (end offsets), by topic. */
async function topicTotals(admin: Admin): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  for (const topic of (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort()) {
    const offsets = await admin.fetchTopicOffsets(topic);
    totals[topic] = offsets.reduce((acc, p) => acc + Number(p.high), 0);
  }
  return totals;
}

async function databaseTransactions(pg: Pool, database: string): Promise<number> {
  const row = (
    await pg.query<{ n: string }>(
      `SELECT (xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database WHERE datname = $1`,
      [database],
    )
  ).rows[0];
  return Number(row.n);
}

/** Everything the cost table counts, at one instant. */
async function snapshot(ctx: CostRun): Promise<CostSnapshot> {
  // One after the other, in this order (as before the conversion): each reading is taken when the previous is done.
  const topics = await topicTotals(ctx.admin);
  const services = await ctx.counters.snapshot();
  const auditSeq = await ctx.audit.count();
  const transactions = await databaseTransactions(ctx.pg, ctx.database);
  return { at: performance.now(), topics, services, auditSeq, transactions };
}

/** Waits until the batch's work is done everywhere (see the file comment); returns whether it was. */
async function drain(ctx: CostRun, phase: { visible: number; expected: number }, deadline: number): Promise<boolean> {
  while (phase.visible < phase.expected && Date.now() < deadline) await sleep(20);
  const delivered = phase.visible >= phase.expected;
  let stable = false;
  let last: string | null = null;
  while (Date.now() < deadline) {
    const audit = await ctx.audit.waitFor(await ctx.audit.expectedTotal(), Math.min(deadline, Date.now() + 5000));
    const caughtUp = ctx.diagnostics
      ? await ctx.diagnostics.waitCaughtUp(Math.min(deadline, Date.now() + 5000))
      : { ok: true };
    const totals = JSON.stringify(await topicTotals(ctx.admin));
    if (audit.ok && caughtUp.ok && totals === last) {
      stable = true;
      break;
    }
    last = totals;
    await sleep(1500);
  }
  return delivered && stable;
}

/** What a batch added between two snapshots, per accepted alert (2 decimals). */
export function delta(before: CostSnapshot, after: CostSnapshot, alerts: number) {
  const per = (v: number) => Math.round((v / alerts) * 100) / 100;
  const seconds = (after.at - before.at) / 1000;
  const kafkaMessagesByTopic: Record<string, number> = {};
  for (const [topic, total] of Object.entries(after.topics)) {
    const n = total - (before.topics[topic] || 0);
    if (n > 0) kafkaMessagesByTopic[topic] = per(n);
  }
  const services: Record<string, ServiceCost> = {};
  for (const [app, now] of Object.entries(after.services)) {
    const was = before.services[app];
    services[app] = {
      sqlStatements: per(now.statements - was.statements),
      commits: per(now.commits - was.commits),
      produceCalls: per(now.produceCalls - was.produceCalls),
      messagesProduced: per(now.messages - was.messages),
    };
  }
  return {
    seconds: round1(seconds),
    kafkaMessagesByTopic,
    kafkaMessages: per(
      Object.values(after.topics).reduce((a, b) => a + b, 0) - Object.values(before.topics).reduce((a, b) => a + b, 0),
    ),
    auditEntries: per(after.auditSeq - before.auditSeq),
    databaseTransactions: per(after.transactions - before.transactions),
    services,
  };
}

/** Statements and COMMITs per second of each service with no traffic (outbox relays, consumers, timers). */
async function idleRates(ctx: CostContext, seconds: number): Promise<Record<string, IdleRate>> {
  const before = await ctx.counters.snapshot();
  await sleep(seconds * 1000);
  const after = await ctx.counters.snapshot();
  const rates: Record<string, IdleRate> = {};
  for (const app of Object.keys(after)) {
    rates[app] = {
      sqlStatementsPerSecond: round1((after[app].statements - before[app].statements) / seconds),
      commitsPerSecond: round1((after[app].commits - before[app].commits) / seconds),
    };
  }
  return rates;
}

/** One batch of `count` alerts of one kind, posted at `rate` per second (open loop), drained and counted. */
async function costBatch(
  ctx: CostRun,
  {
    kind,
    count,
    rate,
    knownAgencies,
  }: { kind: CostBatchResult['kind']; count: number; rate: number; knownAgencies: number },
): Promise<CostBatchResult> {
  const { client, tracker, posters, log } = ctx;
  const phase = tracker.begin(`cost ${kind} ${knownAgencies}`);
  const before = await snapshot(ctx);
  const t0 = performance.now() + 20;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const index = i % posters.length;
    const sender = posters[index];
    const n = ctx.offset++;
    let body: ReturnType<typeof alertContent>;
    let streamed: number;
    if (kind === 'restricted') {
      const recipients = ctx.recipientsFor(index, n, posters);
      body = alertContent(n, recipients);
      streamed = recipients.length;
    } else {
      body = regionalContent(n);
      streamed = posters.length - 1; // the other posters hold streams; onboarded agencies only get inbox rows
    }
    const sent = tracker.sending(due);
    pending.push(
      client
        .request('POST', '/v1/alerts', { key: sender.key, body, headers: { 'idempotency-key': randomUUID() } })
        .then((response) => {
          if (response.status === 202)
            tracker.accepted(sent, (response.body as { alertId: string }).alertId, streamed, due, performance.now());
          else {
            tracker.failed(sent, String(response.status));
            if (!sent.firstError) sent.firstError = `${response.status} ${JSON.stringify(response.body).slice(0, 300)}`;
          }
        })
        .catch((error: Error) => tracker.failed(sent, `transport: ${error.message}`)),
    );
  }
  await Promise.all(pending);
  const complete = await drain(ctx, phase, Date.now() + 60000);
  const after = await snapshot(ctx);
  const counted = phase.accepted > 0 ? delta(before, after, phase.accepted) : null;
  const byType = (
    await ctx.pg.query<{ type: string; n: number }>(
      `SELECT type, count(*)::int AS n FROM ${ctx.audit.table} WHERE seq >= $1 AND seq < $2 GROUP BY type ORDER BY type`,
      [before.auditSeq, after.auditSeq],
    )
  ).rows;
  // What routing itself weighed: the candidates a routing fact names (one fact per version since issue 11).
  const candidates = (
    await ctx.pg.query<{ c: string | null }>(
      `SELECT avg((entry::jsonb -> 'details' ->> 'candidates')::numeric) AS c FROM ${ctx.audit.table}
       WHERE seq >= $1 AND seq < $2 AND type = 'routing.decided' AND entry::jsonb -> 'details' ? 'candidates'`,
      [before.auditSeq, after.auditSeq],
    )
  ).rows[0].c;
  const inboxRows = Number(
    (
      await ctx.pg.query<{ n: string }>(
        `SELECT count(*)::bigint AS n FROM gateway.inbox WHERE alert_id = ANY($1::uuid[]) AND kind <> 'match'`,
        [[...tracker.alerts.values()].filter((r) => r.phase === phase).map((r) => r.alertId)],
      )
    ).rows[0].n,
  );
  const result: CostBatchResult = {
    kind,
    knownAgencies,
    routingCandidatesPerVersion: candidates === null ? null : round1(Number(candidates)),
    alerts: phase.accepted,
    errors: phase.errors,
    firstError: phase.firstError || null,
    complete,
    deliveriesPerAlert: phase.accepted ? round1(inboxRows / phase.accepted) : null,
    ...counted,
    auditEntriesByType: Object.fromEntries(
      byType.map((r) => [r.type, Math.round((r.n / Math.max(1, phase.accepted)) * 100) / 100]),
    ),
  };
  if (counted) aboveIdle(counted.services, ctx.idle, counted.seconds, phase.accepted);
  log(
    `cost: ${kind}, ${knownAgencies} known agencies: ${phase.accepted} alerts, ${result.deliveriesPerAlert} deliveries, ` +
      `${result.kafkaMessages} Kafka messages, ${result.auditEntries} audit entries per alert${complete ? '' : ' — INCOMPLETE (did not drain within 60 s)'}`,
  );
  return result;
}

/**
 * Subtracts from each service's statements and COMMITs per alert the idle share of the batch's window, per alert:
 * what the services would have run with no traffic at all (never below 0).
 */
export function aboveIdle(
  services: Record<string, ServiceCost>,
  idle: Record<string, IdleRate>,
  seconds: number,
  alerts: number,
): void {
  for (const [app, rate] of Object.entries(idle)) {
    const idlePerAlert = (rate.sqlStatementsPerSecond * seconds) / alerts;
    services[app].sqlStatementsAboveIdle = Math.max(
      0,
      Math.round((services[app].sqlStatements - idlePerAlert) * 100) / 100,
    );
    const idleCommits = (rate.commitsPerSecond * seconds) / alerts;
    services[app].commitsAboveIdle = Math.max(0, Math.round((services[app].commits - idleCommits) * 100) / 100);
  }
}

/**
 * The cost section: batches of restricted and regional alerts with the run's agencies known, then with more
 * onboarded (up to `largeAgencyCount` in all), each counted per alert. `ctx` carries the exchange's client, tracker,
 * posting agencies with open streams, createAgencies, and the probes.
 */
export async function runCost(
  ctx: CostContext,
  { alertsPerBatch, rate, largeAgencyCount }: CostOptions,
): Promise<CostResult> {
  const admin = new Kafka({
    clientId: 'bench-cost',
    ...kafkaClientConfig(ctx.brokers),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  const started = performance.now();
  try {
    const run: CostRun = { ...ctx, admin, offset: 5000000, idle: await idleRates(ctx, 3) };
    ctx.log(
      `cost: idle ${Object.entries(run.idle)
        .map(([app, r]) => `${app} ${r.sqlStatementsPerSecond} statements/s`)
        .join(', ')}`,
    );
    const batches: CostBatchResult[] = [];
    const small = ctx.posters.length;
    for (const kind of ['restricted', 'regional'] as const)
      batches.push(await costBatch(run, { kind, count: alertsPerBatch, rate, knownAgencies: small }));
    if (largeAgencyCount > small) {
      ctx.log(`cost: onboarding ${largeAgencyCount - small} more agencies (${largeAgencyCount} known)`);
      await ctx.onboard(largeAgencyCount - small);
      // Routing must know them before it is measured: every consumer (reference data included) caught up.
      if (ctx.diagnostics) await ctx.diagnostics.waitCaughtUp(Date.now() + 60000);
      await sleep(1000);
      for (const kind of ['restricted', 'regional'] as const)
        batches.push(await costBatch(run, { kind, count: alertsPerBatch, rate, knownAgencies: largeAgencyCount }));
    }
    return {
      note:
        "per accepted alert; Kafka messages from topic end offsets (all topics), audit entries from the log's seq range, SQL statements and COMMITs " +
        'counted in each service (count-preload.js; "above idle" subtracts the same service\'s idle rate over the batch\'s window), database ' +
        'transactions from pg_stat_database. Only the original agencies post and hold streams (inbox.streamed facts); onboarded ones only receive.',
      alertsPerBatch,
      rate,
      idle: run.idle,
      seconds: round1((performance.now() - started) / 1000),
      batches,
    };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
