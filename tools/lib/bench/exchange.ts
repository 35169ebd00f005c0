/**
 * End to end through the exchange: agencies post alerts over HTTP to agency-gateway; coordination-node routes
 * them; agency-gateway stores each delivery in the recipient's inbox and pushes it on the recipient's SSE stream.
 * Latency = arrival of the delivery on the recipient's stream − arrival of the 202 at the sender.
 *
 * The section is named steps: agencies and their streams (createAgencies, openStreams), readiness and warm-up,
 * the idle baseline, the two measured phases (runPhase: post, drain, observe, result), then the cost batches.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { runBulk } from './bulk';
import type { AuditProbe } from './audit';
import { runCost } from './cost';
import type { Diagnostics, StageObserver } from './diagnostics';
import type { BenchHub } from './environment';
import { createClient, openEventStream } from './http';
import { summarize, round1, type PhaseResources, type ResourceSampler } from './metrics';
import { alertContent, COUNTRIES } from './payload';
import type {
  ConsumerLag,
  CostResult,
  EndToEndResult,
  ExchangePhaseResult,
  PhaseAudit,
  PhaseDiagnostics,
} from './results';
import { Tracker, type TrackedPhase } from './tracker';

const BODIES_PER_AGENCY = 63; // a multiple of 3: recipient counts 2, 3, 4 average exactly 3

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export type HttpClient = ReturnType<typeof createClient>;

/** A request body serialised once, with the number of deliveries it makes. */
interface PreparedBody {
  json: string;
  recipients: number;
}

/** An agency of the run, with its key; the posting agencies also have their request bodies ready. */
export interface BenchAgency {
  id: string;
  key: string;
  bodies: PreparedBody[];
}

/** Recipient counts cycle 2, 3, 4 (average 3), capped by how many other agencies exist; never the sender. */
export function recipientsFor(senderIndex: number, n: number, agencies: readonly { id: string }[]): string[] {
  const others = agencies.filter((_, i) => i !== senderIndex);
  const count = Math.min([2, 3, 4][n % 3], others.length);
  return Array.from({ length: count }, (_, k) => others[(n + k) % others.length].id);
}

/**
 * Creates `count` agencies with one agency key each, through the admin API; waits until every key works. `from`:
 * the index of the first (agencies onboarded later continue the numbering).
 */
export async function createAgencies(
  client: HttpClient,
  adminKey: string,
  count: number,
  { from = 0 }: { from?: number } = {},
): Promise<BenchAgency[]> {
  const agencies: BenchAgency[] = [];
  for (let i = from; i < from + count; i++) {
    const id = `${COUNTRIES[i % COUNTRIES.length]}-BENCH${String(i + 1).padStart(2, '0')}`;
    const created = await client.request('POST', '/v1/admin/agencies', {
      key: adminKey,
      body: {
        id,
        name: `Benchmark agency ${i + 1}`,
        country: COUNTRIES[i % COUNTRIES.length],
        kind: 'national-agency',
      },
    });
    if (created.status !== 201)
      throw new Error(`create agency ${id}: ${created.status} ${JSON.stringify(created.body)}`);
    const issued = await client.request('POST', `/v1/admin/agencies/${id}/keys`, {
      key: adminKey,
      body: { role: 'agency' },
    });
    if (issued.status !== 201) throw new Error(`issue key for ${id}: ${issued.status} ${JSON.stringify(issued.body)}`);
    agencies.push({ id, key: (issued.body as { key: string }).key, bodies: [] });
  }
  await waitForKeys(client, agencies);
  prepareBodies(agencies);
  return agencies;
}

/** Every new key answers (the gateway's credential cache has them). */
async function waitForKeys(client: HttpClient, agencies: BenchAgency[]): Promise<void> {
  const deadline = Date.now() + 30000;
  for (const agency of agencies) {
    for (;;) {
      const probe = await client.request('GET', '/v1/inbox?limit=1', { key: agency.key });
      if (probe.status === 200) break;
      if (Date.now() > deadline) throw new Error(`key of ${agency.id} still answers ${probe.status}`);
      await sleep(200);
    }
  }
}

/** Pre-serialised bodies, so that the client spends its CPU on requests, not on JSON. */
function prepareBodies(agencies: BenchAgency[]): void {
  agencies.forEach((agency, index) => {
    agency.bodies = Array.from({ length: BODIES_PER_AGENCY }, (_, n) => {
      const recipients = recipientsFor(index, n, agencies);
      return {
        json: JSON.stringify(alertContent(index * BODIES_PER_AGENCY + n, recipients)),
        recipients: recipients.length,
      };
    });
  });
}

// ── load ─────────────────────────────────────────────────────────────────────────────────────────────────────────

/** One POST /v1/alerts from agency `n % agencies`; `intendedAt` is the open-loop schedule (or send time). */
async function postAlert(
  client: HttpClient,
  tracker: Tracker,
  agencies: BenchAgency[],
  n: number,
  intendedAt: number,
): Promise<void> {
  const index = n % agencies.length;
  const agency = agencies[index];
  const body = agency.bodies[Math.floor(n / agencies.length) % agency.bodies.length];
  const phase = tracker.sending(intendedAt);
  try {
    const response = await client.request('POST', '/v1/alerts', {
      key: agency.key,
      body: body.json,
      headers: { 'idempotency-key': randomUUID() },
    });
    const acceptedAt = performance.now();
    if (response.status === 202)
      tracker.accepted(phase, (response.body as { alertId: string }).alertId, body.recipients, intendedAt, acceptedAt);
    else {
      tracker.failed(phase, String(response.status));
      if (!phase.firstError) phase.firstError = `${response.status} ${JSON.stringify(response.body).slice(0, 500)}`;
    }
  } catch (error) {
    tracker.failed(phase, 'transport');
    if (!phase.firstError) phase.firstError = (error as Error).message;
  }
}

/** Open loop: request i is sent at t0 + i/rate whatever happened to earlier ones (latency stays honest). */
async function openLoop(
  client: HttpClient,
  tracker: Tracker,
  agencies: BenchAgency[],
  { rate, seconds, offset = 0 }: { rate: number; seconds: number; offset?: number },
): Promise<number> {
  const total = Math.round(rate * seconds);
  const t0 = performance.now() + 20;
  const pending = new Set<Promise<void>>();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const promise = postAlert(client, tracker, agencies, offset + i, due);
    pending.add(promise);
    void promise.finally(() => pending.delete(promise));
  }
  await Promise.all(pending);
  return total;
}

/** Closed loop: `concurrency` requests always in flight for `seconds`. */
async function closedLoop(
  client: HttpClient,
  tracker: Tracker,
  agencies: BenchAgency[],
  { concurrency, seconds, offset = 0 }: { concurrency: number; seconds: number; offset?: number },
): Promise<number> {
  const stopAt = performance.now() + seconds * 1000;
  let next = offset;
  const worker = async () => {
    while (performance.now() < stopAt) await postAlert(client, tracker, agencies, next++, performance.now());
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return next - offset;
}

/** What a measured phase offers: the load itself and how the report names it. */
interface Load {
  run(): Promise<number>;
  describe: string;
}

// ── one measured phase ───────────────────────────────────────────────────────────────────────────────────────────

/** What every phase measures with. */
interface PhaseContext {
  tracker: Tracker;
  sampler: ResourceSampler;
  diagnostics: Diagnostics | null;
  stages: StageObserver | null;
  log: (line: string) => void;
  audit: AuditProbe;
  drainTimeoutMs: number;
  inboxCount(): Promise<number>;
  /** The hub with no traffic (set before the measured phases): subtracted per alert. */
  idle?: PhaseResources;
}

/** performance.now() at the phase's landmarks. */
interface PhaseTimes {
  startedAt: number;
  postedAt: number;
  deliveredAt: number;
  caughtUpAt: number;
}

/**
 * Runs one measured phase and waits until every accepted alert is in every recipient's inbox stream (and, when
 * the audit log is built, until every audit event of the run is appended).
 */
async function runPhase(
  ctx: PhaseContext,
  name: string,
  load: Load,
  { onStart, onDrained }: { onStart?: () => Promise<void>; onDrained?: () => Promise<void> } = {},
): Promise<ExchangePhaseResult> {
  const { tracker, sampler, log, drainTimeoutMs, audit } = ctx;
  const auditBefore = audit.available ? await audit.count() : 0;
  const workBefore = ctx.diagnostics ? await ctx.diagnostics.workCounters() : null;
  await onStart?.();
  sampler.mark(name);
  ctx.diagnostics?.mark(name);
  const lagAtStart = ctx.diagnostics ? await ctx.diagnostics.lagNow().catch(() => null) : null;
  const phase = tracker.begin(name);
  const startedAt = performance.now();
  await load.run();
  const postedAt = performance.now();
  const lagAtEndOfPosting = ctx.diagnostics ? await ctx.diagnostics.lagNow().catch(() => null) : null;
  log(
    `${name}: ${phase.accepted} alerts accepted (${
      Object.entries(phase.errors)
        .map(([k, v]) => `${v}×${k}`)
        .join(', ') || 'no errors'
    }); draining…`,
  );
  if (phase.firstError) log(`${name}: first error: ${phase.firstError}`);

  const deadline = Date.now() + drainTimeoutMs;
  while (phase.visible < phase.expected && Date.now() < deadline) await sleep(20);
  const deliveredAt = performance.now();
  const inboxRows = await ctx.inboxCount();
  const auditResult = await phaseAudit(audit, auditBefore, deadline, startedAt, deliveredAt);
  // Everything downstream too (e.g. the coordination node's live feed): the phase is over when no consumer lags.
  const caughtUp = ctx.diagnostics ? await ctx.diagnostics.waitCaughtUp(deadline) : null;
  const caughtUpAt = performance.now();
  await onDrained?.();
  const resources = sampler.end();
  if (!resources) throw new Error(`${name}: the resource sampler had no phase marked`);
  let diagnostics: PhaseDiagnostics | null = null;
  if (ctx.diagnostics && caughtUp) {
    const workAfter = await ctx.diagnostics.workCounters();
    diagnostics = {
      consumerLagAtStart: lagAtStart,
      consumerLagAtEndOfPosting: lagAtEndOfPosting,
      allConsumersCaughtUp: caughtUp.ok,
      consumerLagAtEnd: caughtUp.lag,
      allConsumersCaughtUpSecondsAfterLastPost: round1((caughtUpAt - postedAt) / 1000),
      workPerAcceptedAlert: ctx.diagnostics.perAlert(workBefore, workAfter, phase.accepted),
      ...(ctx.diagnostics.end() as NonNullable<ReturnType<Diagnostics['end']>>),
    };
  }
  const result = phaseResult(ctx, {
    name,
    load,
    phase,
    times: { startedAt, postedAt, deliveredAt, caughtUpAt },
    lagAtStart,
    inboxRows,
    auditResult,
    resources,
    diagnostics,
  });
  log(
    `${name}: ${result.alertsPerSecond} alerts/s, ${result.deliveriesPerSecond} deliveries/s end to end; ` +
      `send→inbox p50 ${result.latencyMs.total.p50} p99 ${result.latencyMs.total.p99} ms, 202→inbox p50 ${result.latencyMs.delivery.p50} p99 ${result.latencyMs.delivery.p99} max ${result.latencyMs.delivery.max} ms ` +
      `(machine busy ${resources.machineBusyPercent} %)` +
      (result.drainedCompletely ? '' : ` — INCOMPLETE: ${(result.incomplete as string[]).join('; ')}`),
  );
  return result;
}

/** Waits until the audit log holds every audit event produced so far (or the deadline); how fast it appended. */
async function phaseAudit(
  audit: AuditProbe,
  before: number,
  deadline: number,
  startedAt: number,
  deliveredAt: number,
): Promise<PhaseAudit> {
  if (!audit.available) return { status: 'n/a (audit-log not built)' };
  const target = await audit.expectedTotal();
  const reached = await audit.waitFor(target, deadline);
  const auditDoneAt = performance.now();
  const appended = reached.count - before;
  return {
    status: reached.ok
      ? 'complete'
      : `incomplete: ${reached.count} of ${target} events appended after the drain timeout`,
    appended,
    eventsOnTopic: target,
    entriesPerSecond: Math.round(appended / ((auditDoneAt - startedAt) / 1000)),
    lagAfterLastDeliverySeconds: round1((auditDoneAt - deliveredAt) / 1000),
  };
}

/** What phaseResult is computed from: the tracker's counts, the landmarks and the observers' readings. */
interface PhaseReadings {
  name: string;
  load: Load;
  phase: TrackedPhase;
  times: PhaseTimes;
  lagAtStart: ConsumerLag | null;
  inboxRows: number;
  auditResult: PhaseAudit;
  resources: PhaseResources;
  diagnostics: PhaseDiagnostics | null;
}

/** The phase's figures, as the report prints them. */
function phaseResult(
  ctx: PhaseContext,
  { name, load, phase, times, lagAtStart, inboxRows, auditResult, resources, diagnostics }: PhaseReadings,
): ExchangePhaseResult {
  const { tracker, audit } = ctx;
  const { startedAt, postedAt, deliveredAt, caughtUpAt } = times;
  const postingSeconds = (postedAt - startedAt) / 1000;
  // The pipeline's output while this phase was posting, whichever alerts it belonged to: under overload (or with
  // a backlog left by the previous phase) this is the exchange's real capacity.
  const pipelineDeliveriesPerSecond = Math.round(tracker.arrivedBetween(startedAt, postedAt) / postingSeconds);
  const phaseSeconds = (caughtUpAt - startedAt) / 1000;
  const pipelineOverPhase = tracker.arrivedBetween(startedAt, caughtUpAt) / phaseSeconds;
  const auditComplete = !audit.available || auditResult.status === 'complete';
  const drained =
    phase.visible >= phase.expected && auditComplete && (!diagnostics || diagnostics.allConsumersCaughtUp);
  const incomplete: string[] = [];
  if (phase.visible < phase.expected)
    incomplete.push(`${phase.visible} of ${phase.expected} deliveries on the streams`);
  if (!auditComplete) incomplete.push(auditResult.status);
  if (diagnostics && !diagnostics.allConsumersCaughtUp)
    incomplete.push(
      `consumers still lagging: ${JSON.stringify(Object.fromEntries(Object.entries(diagnostics.consumerLagAtEnd || {}).filter(([, v]) => v > 0)))}`,
    );
  // CPU of everything on the machine this bench did not start (others' tests and builds), in % of one core.
  const measuredPercent = Object.values(resources.cpuPercentOfOneCore).reduce((a, b) => a + b, 0);
  resources.otherProcessesPercentOfOneCore = round1(
    Math.max(0, resources.machineBusyPercent * os.cpus().length - measuredPercent),
  );
  const cpuMsPerAlert: Record<string, number> = {};
  if (drained && phase.accepted > 0) {
    for (const [proc, percent] of Object.entries(resources.cpuPercentOfOneCore)) {
      const idle = (ctx.idle && ctx.idle.cpuPercentOfOneCore[proc]) || 0;
      cpuMsPerAlert[proc] = round1(((Math.max(0, percent - idle) / 100) * resources.seconds * 1000) / phase.accepted);
    }
  }
  const endToEndSeconds = ((phase.lastComplete ?? deliveredAt) - startedAt) / 1000;
  return {
    name,
    offered: load.describe,
    postingSeconds: round1(postingSeconds),
    sent: phase.sent,
    accepted: phase.accepted,
    errors: phase.errors,
    firstError: phase.firstError || null,
    maxRequestsInFlight: phase.maxInFlight,
    acceptedPerSecond: Math.round(phase.accepted / postingSeconds),
    deliveriesExpected: phase.expected,
    deliveriesVisible: phase.visible,
    alertsFullyDelivered: phase.complete,
    complete: phase.visible >= phase.expected,
    duplicateEvents: phase.duplicates,
    deliveredBeforeSenderRead202: phase.beforeAccepted,
    endToEndSeconds: round1(endToEndSeconds),
    drainSecondsAfterLastPost: round1(((phase.lastVisible ?? postedAt) - postedAt) / 1000),
    alertsPerSecond: Math.round(phase.complete / endToEndSeconds),
    deliveriesPerSecond: Math.round(phase.visible / endToEndSeconds),
    pipelineDeliveriesPerSecondWhilePosting: pipelineDeliveriesPerSecond,
    // Output of the whole pipeline from the phase's first request to the end of its drain, whichever phase
    // posted the alerts: with a backlog (offered load above capacity) this is the sustained capacity.
    pipeline: {
      seconds: round1(phaseSeconds),
      deliveriesPerSecond: Math.round(pipelineOverPhase),
      alertsPerSecond: Math.round((pipelineOverPhase / (phase.expected / Math.max(1, phase.accepted))) * 10) / 10,
      // Submissions not yet routed and deliveries not yet in inboxes, whichever delivery topic and group carry them.
      backlogAtStart: lagAtStart
        ? Object.entries(lagAtStart)
            .filter(([key]) => /← (alerts\.submitted\.v1|alerts\.deliveries\.v1|alerts\.routed\.v1)$/.test(key))
            .reduce((acc, [, lag]) => acc + lag, 0)
        : null,
    },
    drainedCompletely: drained,
    incomplete: drained ? null : incomplete,
    cpuMsPerAlertAboveIdle: drained
      ? cpuMsPerAlert
      : 'n/a (the phase did not drain completely, so CPU time cannot be attributed per alert)',
    latencyMs: {
      submit: summarize(phase.submitMs),
      delivery: summarize(phase.deliveryMs),
      total: summarize(phase.totalMs),
      ...(ctx.stages ? { hops: ctx.stages.stages(phase.hops) } : {}),
    },
    inboxRowsInDatabase: inboxRows,
    inboxRowsExpected: tracker.totalExpected,
    audit: auditResult,
    resources,
    diagnostics,
  };
}

// ── the section ──────────────────────────────────────────────────────────────────────────────────────────────────

/** The cost section's batches (cost.ts). */
export interface CostOptions {
  alertsPerBatch: number;
  rate: number;
  largeAgencyCount: number;
}

export interface ExchangeOptions {
  envInfo: BenchHub;
  sampler: ResourceSampler;
  diagnostics: Diagnostics | null;
  stages: StageObserver | null;
  audit: AuditProbe;
  pg: Pool;
  log: (line: string) => void;
  agencies: number;
  rate: number;
  seconds: number;
  concurrency: number;
  warmupSeconds: number;
  onSaturationStart?: () => Promise<void>;
  onSaturationEnd?: () => Promise<void>;
  cost?: CostOptions | null;
  /** Issue 27: batches of 1,000 NDJSON lines and a 10,000-identifier hit query after the other phases; 0 skips. */
  bulkBatches?: number;
  brokers: string[];
}

const NOTICE_KINDS: ReadonlySet<string> = new Set(['match', 'hit', 'room-message']);

/** One inbox stream per agency, feeding the tracker; resolves when all are open. */
async function openStreams(
  gateway: string,
  agencies: BenchAgency[],
  tracker: Tracker,
  streamErrors: string[],
): Promise<ReturnType<typeof openEventStream>[]> {
  const streams: ReturnType<typeof openEventStream>[] = [];
  for (const agency of agencies) {
    const stream = openEventStream(
      gateway,
      '/v1/inbox/stream',
      agency.key,
      (event, data, arrived) => {
        // Match and hit notices and room messages ride the same stream: they are not deliveries of an alert.
        if (event === 'delivery' && !NOTICE_KINDS.has((data as { kind?: string }).kind ?? ''))
          tracker.onDelivery(data as { alertId: string }, arrived, agency.id);
        else if (event === 'error') streamErrors.push(`${agency.id}: ${JSON.stringify(data)}`);
      },
      { onError: (error) => streamErrors.push(`${agency.id}: ${error.message}`) },
    );
    streams.push(stream);
    await stream.ready;
  }
  return streams;
}

/** Readiness: one alert per agency must reach every recipient (reference data replicated to the node). */
async function awaitReadiness(
  client: HttpClient,
  tracker: Tracker,
  agencies: BenchAgency[],
  log: (line: string) => void,
): Promise<void> {
  const ready = tracker.begin('readiness');
  for (let i = 0; i < agencies.length; i++) await postAlert(client, tracker, agencies, i, performance.now());
  const readyDeadline = Date.now() + 90000;
  while (ready.visible < ready.expected && Date.now() < readyDeadline) await sleep(50);
  if (ready.visible < ready.expected) {
    throw new Error(
      `readiness: only ${ready.visible} of ${ready.expected} deliveries arrived (${JSON.stringify(ready.errors)} ${ready.firstError || ''})`,
    );
  }
  log(`readiness: ${ready.accepted} alerts delivered to ${ready.visible} inboxes`);
}

/** Not measured: a gentle open loop, then until every delivery, audit event and consumer has caught up. */
async function warmUp(
  client: HttpClient,
  ctx: PhaseContext,
  agencies: BenchAgency[],
  { rate, warmupSeconds }: { rate: number; warmupSeconds: number },
): Promise<void> {
  const { tracker, audit, diagnostics, log } = ctx;
  const warmup = tracker.begin('warm-up');
  const warmupRate = Math.max(1, Math.min(Math.round(rate / 2), 20));
  log(`warm-up: ${warmupRate} alerts/s for ${warmupSeconds} s (not measured)`);
  await openLoop(client, tracker, agencies, { rate: warmupRate, seconds: warmupSeconds, offset: 1000 });
  const warmDeadline = Date.now() + 60000;
  while (warmup.visible < warmup.expected && Date.now() < warmDeadline) await sleep(50);
  if (audit.available) await audit.waitFor(await audit.expectedTotal(), Date.now() + 60000);
  if (diagnostics) await diagnostics.waitCaughtUp(Date.now() + 60000);
}

/** What the hub burns with no traffic at all (consumer polling, outbox relays, timers), subtracted per alert. */
async function measureIdle(ctx: PhaseContext): Promise<void> {
  ctx.sampler.mark('idle');
  await sleep(5000);
  const idle = ctx.sampler.end() as PhaseResources;
  ctx.idle = idle;
  ctx.log(
    `idle: ${Object.entries(idle.cpuPercentOfOneCore)
      .map(([k, v]) => `${k} ${v}%`)
      .join(', ')}`,
  );
}

/**
 * The whole end-to-end section against an environment from environment.startHub(). `audit` comes from
 * audit.ts (auditProbe) and says whether the audit log can be counted.
 */
export async function runExchange(options: ExchangeOptions): Promise<EndToEndResult> {
  const { envInfo, sampler, diagnostics, stages, audit, pg, log, rate, seconds, concurrency } = options;
  const gateway = envInfo.urls['agency-gateway'];
  const client = createClient(gateway, { maxSockets: Math.max(256, concurrency * 2) });
  let streams: ReturnType<typeof openEventStream>[] = [];
  try {
    log(`creating ${options.agencies} agencies and keys`);
    const agencies = await createAgencies(client, envInfo.adminKey, options.agencies);
    const tracker = new Tracker();
    const streamErrors: string[] = [];
    streams = await openStreams(gateway, agencies, tracker, streamErrors);
    log(`${streams.length} inbox streams open`);

    const ctx: PhaseContext = {
      tracker,
      sampler,
      diagnostics,
      stages,
      log,
      audit,
      // Bounded so that an overloaded exchange still ends the run in time; the result then says INCOMPLETE.
      drainTimeoutMs: Math.max(40000, seconds * 3000),
      inboxCount: async () =>
        Number(
          (await pg.query<{ n: string }>("SELECT count(*)::bigint AS n FROM gateway.inbox WHERE kind <> 'match'"))
            .rows[0].n,
        ),
    };
    await awaitReadiness(client, tracker, agencies, log);
    await warmUp(client, ctx, agencies, { rate, warmupSeconds: options.warmupSeconds });
    await measureIdle(ctx);

    let offset = 100000;
    const fixedLoad: Load = {
      run: () => openLoop(client, tracker, agencies, { rate, seconds, offset: (offset += 1000000) }),
      describe: `open loop, ${rate} alerts/s for ${seconds} s`,
    };
    log(`fixed load: ${fixedLoad.describe}`);
    const fixed = await runPhase(ctx, 'fixed-rate', fixedLoad);

    const saturationLoad: Load = {
      run: () => closedLoop(client, tracker, agencies, { concurrency, seconds, offset: (offset += 1000000) }),
      describe: `closed loop, ${concurrency} requests in flight for ${seconds} s`,
    };
    log(`saturation: ${saturationLoad.describe}`);
    // Profiles (--profile) cover the saturation phase from its first request until every consumer has caught up.
    const saturation = await runPhase(ctx, 'saturation', saturationLoad, {
      onStart: options.onSaturationStart,
      onDrained: options.onSaturationEnd,
    });

    const cost = await costSection(options, client, tracker, agencies);
    const bulk = await runBulk({
      client,
      tracker,
      posters: agencies,
      sampler,
      log,
      batches: options.bulkBatches ?? 0,
      linesPerBatch: 1000,
      // The asking agency is the first poster: its own alerts (bodies 0..62) never hit for it.
      knownContainers: { from: BODIES_PER_AGENCY, to: agencies.length * BODIES_PER_AGENCY },
      drainTimeoutMs: ctx.drainTimeoutMs,
    });
    return {
      cost,
      bulk,
      idleCpuPercentOfOneCore: ctx.idle ? ctx.idle.cpuPercentOfOneCore : null,
      agencies: agencies.length,
      recipientsPerAlert: 'restricted scope, explicit recipients cycling 2, 3, 4 (average 3)',
      bodyBytes: Math.round(
        agencies[0].bodies.reduce((acc, b) => acc + Buffer.byteLength(b.json), 0) / agencies[0].bodies.length,
      ),
      fixed,
      saturation,
      streamErrors: streamErrors.slice(0, 20),
    };
  } finally {
    for (const stream of streams) stream.close();
    client.close();
  }
}

/** The cost batches (cost.ts) on the same client, tracker and streams, when asked for and the audit log is built. */
async function costSection(
  options: ExchangeOptions,
  client: HttpClient,
  tracker: Tracker,
  agencies: BenchAgency[],
): Promise<CostResult> {
  const { cost, audit, envInfo, log } = options;
  if (!cost || !(cost.alertsPerBatch > 0)) return { status: 'skipped (--cost-alerts 0)' };
  if (!audit.available) return { status: 'n/a (audit-log not built)' };
  log(
    `cost: ${cost.alertsPerBatch} restricted and ${cost.alertsPerBatch} regional alerts at ${cost.rate}/s, with ${agencies.length} then ${cost.largeAgencyCount} known agencies`,
  );
  return runCost(
    {
      client,
      tracker,
      posters: agencies,
      recipientsFor,
      log,
      audit,
      pg: options.pg,
      diagnostics: options.diagnostics,
      brokers: options.brokers,
      database: envInfo.databaseName,
      counters: envInfo.counters,
      onboard: (count) => createAgencies(client, envInfo.adminKey, count, { from: agencies.length }),
    },
    cost,
  );
}
