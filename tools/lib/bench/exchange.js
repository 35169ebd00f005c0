'use strict';
/**
 * End to end through the exchange: agencies post alerts over HTTP to agency-gateway; coordination-node routes
 * them; agency-gateway stores each delivery in the recipient's inbox and pushes it on the recipient's SSE stream.
 * Latency = arrival of the delivery on the recipient's stream − arrival of the 202 at the sender.
 */
const { randomUUID } = require('node:crypto');
const { performance } = require('node:perf_hooks');
const { createClient, openEventStream } = require('./http');
const { alertContent } = require('./payload');
const { summarize, round1 } = require('./metrics');

const COUNTRIES = ['TJ', 'KG', 'KZ', 'UZ', 'TM', 'AZ', 'RU', 'AF', 'CN', 'IR', 'PK', 'MN', 'GE', 'AM', 'TR', 'BY'];
const BODIES_PER_AGENCY = 63; // a multiple of 3: recipient counts 2, 3, 4 average exactly 3

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Recipient counts cycle 2, 3, 4 (average 3), capped by how many other agencies exist; never the sender. */
function recipientsFor(senderIndex, n, agencies) {
  const others = agencies.filter((_, i) => i !== senderIndex);
  const count = Math.min([2, 3, 4][n % 3], others.length);
  return Array.from({ length: count }, (_, k) => others[(n + k) % others.length].id);
}

/**
 * Creates `count` agencies with one agency key each, through the admin API; waits until every key works. `from`:
 * the index of the first (agencies onboarded later continue the numbering).
 */
async function createAgencies(client, adminKey, count, { from = 0 } = {}) {
  const agencies = [];
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
    agencies.push({ id, key: issued.body.key });
  }
  const deadline = Date.now() + 30000;
  for (const agency of agencies) {
    for (;;) {
      const probe = await client.request('GET', '/v1/inbox?limit=1', { key: agency.key });
      if (probe.status === 200) break;
      if (Date.now() > deadline) throw new Error(`key of ${agency.id} still answers ${probe.status}`);
      await sleep(200);
    }
  }
  // Pre-serialised bodies, so that the client spends its CPU on requests, not on JSON.
  agencies.forEach((agency, index) => {
    agency.bodies = Array.from({ length: BODIES_PER_AGENCY }, (_, n) => {
      const recipients = recipientsFor(index, n, agencies);
      return {
        json: JSON.stringify(alertContent(index * BODIES_PER_AGENCY + n, recipients)),
        recipients: recipients.length,
      };
    });
  });
  return agencies;
}

/** Matches 202s with deliveries seen on the recipients' streams, per phase. */
class Tracker {
  constructor() {
    this.alerts = new Map();
    this.early = new Map();
    this.current = null;
    this.totalExpected = 0;
    this.totalVisible = 0;
    /** Arrival time of every delivery of every alert, whatever phase posted it: the pipeline's output. */
    this.arrivals = [];
  }

  /** Deliveries (of any alert) that became visible between from and to (performance.now() times). */
  arrivedBetween(from, to) {
    let n = 0;
    for (const t of this.arrivals) if (t >= from && t <= to) n++;
    return n;
  }

  begin(name) {
    this.current = {
      name,
      sent: 0,
      accepted: 0,
      errors: {},
      expected: 0,
      visible: 0,
      complete: 0,
      duplicates: 0,
      beforeAccepted: 0,
      submitMs: [],
      deliveryMs: [],
      totalMs: [],
      firstSend: null,
      lastSend: null,
      lastAccepted: null,
      lastVisible: null,
      lastComplete: null,
      maxInFlight: 0,
      inFlight: 0,
      hops: [],
    };
    return this.current;
  }

  sending(intendedAt) {
    const phase = this.current;
    phase.sent++;
    phase.inFlight++;
    phase.maxInFlight = Math.max(phase.maxInFlight, phase.inFlight);
    if (phase.firstSend === null) phase.firstSend = intendedAt;
    phase.lastSend = intendedAt;
    return phase;
  }

  failed(phase, reason) {
    phase.inFlight--;
    phase.errors[reason] = (phase.errors[reason] || 0) + 1;
  }

  accepted(phase, alertId, expected, intendedAt, acceptedAt) {
    phase.inFlight--;
    phase.accepted++;
    phase.expected += expected;
    this.totalExpected += expected;
    phase.submitMs.push(acceptedAt - intendedAt);
    phase.lastAccepted = acceptedAt;
    const record = { phase, alertId, expected, seen: 0, intendedAt, acceptedAt };
    this.alerts.set(alertId, record);
    const early = this.early.get(alertId);
    if (early) {
      this.early.delete(alertId);
      for (const { arrived, recipient } of early) {
        phase.beforeAccepted++;
        this.visible(record, arrived, recipient);
      }
    }
  }

  /** An SSE delivery event arrived. */
  onDelivery(item, arrived, recipient) {
    this.totalVisible++;
    this.arrivals.push(arrived);
    const record = this.alerts.get(item.alertId);
    if (!record) {
      // Delivered before the sender read its 202 (possible: the 202 is sent after Kafka has the submission).
      const list = this.early.get(item.alertId) || [];
      list.push({ arrived, recipient });
      this.early.set(item.alertId, list);
      return;
    }
    this.visible(record, arrived, recipient);
  }

  visible(record, arrived, recipient) {
    const phase = record.phase;
    record.seen++;
    if (record.seen > record.expected) {
      phase.duplicates++;
      return;
    }
    phase.visible++;
    phase.hops.push({
      alertId: record.alertId,
      recipient,
      acceptedEpoch: performance.timeOrigin + record.acceptedAt,
      visibleEpoch: performance.timeOrigin + arrived,
    });
    phase.deliveryMs.push(Math.max(0, arrived - record.acceptedAt));
    phase.totalMs.push(arrived - record.intendedAt);
    phase.lastVisible = Math.max(phase.lastVisible ?? 0, arrived);
    if (record.seen === record.expected) {
      phase.complete++;
      phase.lastComplete = Math.max(phase.lastComplete ?? 0, arrived);
    }
  }
}

/** One POST /v1/alerts from agency `n % agencies`; `intendedAt` is the open-loop schedule (or send time). */
async function postAlert(client, tracker, agencies, n, intendedAt) {
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
      tracker.accepted(phase, response.body.alertId, body.recipients, intendedAt, acceptedAt);
    else {
      tracker.failed(phase, String(response.status));
      if (!phase.firstError) phase.firstError = `${response.status} ${JSON.stringify(response.body).slice(0, 500)}`;
    }
  } catch (error) {
    tracker.failed(phase, 'transport');
    if (!phase.firstError) phase.firstError = error.message;
  }
}

/** Open loop: request i is sent at t0 + i/rate whatever happened to earlier ones (latency stays honest). */
async function openLoop(client, tracker, agencies, { rate, seconds, offset = 0 }) {
  const total = Math.round(rate * seconds);
  const t0 = performance.now() + 20;
  const pending = new Set();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const promise = postAlert(client, tracker, agencies, offset + i, due);
    pending.add(promise);
    promise.finally(() => pending.delete(promise));
  }
  await Promise.all(pending);
  return total;
}

/** Closed loop: `concurrency` requests always in flight for `seconds`. */
async function closedLoop(client, tracker, agencies, { concurrency, seconds, offset = 0 }) {
  const stopAt = performance.now() + seconds * 1000;
  let next = offset;
  const worker = async () => {
    while (performance.now() < stopAt) await postAlert(client, tracker, agencies, next++, performance.now());
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return next - offset;
}

/**
 * Runs one measured phase and waits until every accepted alert is in every recipient's inbox stream (and, when
 * the audit log is built, until every audit event of the run is appended).
 */
async function runPhase(ctx, name, load, { onStart, onDrained } = {}) {
  const { tracker, sampler, log, drainTimeoutMs, audit } = ctx;
  const auditBefore = audit.available ? await audit.count() : null;
  const workBefore = ctx.diagnostics ? await ctx.diagnostics.workCounters() : null;
  await onStart?.();
  sampler.mark(name);
  ctx.diagnostics?.mark(name);
  const lagAtStart = ctx.diagnostics ? await ctx.diagnostics.lagNow().catch(() => null) : null;
  const phase = tracker.begin(name);
  const startedAt = performance.now();
  await load();
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

  let auditResult = { status: 'n/a (audit-log not built)' };
  if (audit.available) {
    const target = await audit.expectedTotal();
    const reached = await audit.waitFor(target, deadline);
    const auditDoneAt = performance.now();
    const appended = reached.count - auditBefore;
    auditResult = {
      status: reached.ok
        ? 'complete'
        : `incomplete: ${reached.count} of ${target} events appended after the drain timeout`,
      appended,
      eventsOnTopic: target,
      entriesPerSecond: Math.round(appended / ((auditDoneAt - startedAt) / 1000)),
      lagAfterLastDeliverySeconds: round1((auditDoneAt - deliveredAt) / 1000),
    };
  }
  // Everything downstream too (e.g. the coordination node's live feed): the phase is over when no consumer lags.
  const caughtUp = ctx.diagnostics ? await ctx.diagnostics.waitCaughtUp(deadline) : null;
  const caughtUpAt = performance.now();
  await onDrained?.();
  const resources = sampler.end();
  let diagnostics = null;
  if (ctx.diagnostics) {
    const workAfter = await ctx.diagnostics.workCounters();
    diagnostics = {
      consumerLagAtStart: lagAtStart,
      consumerLagAtEndOfPosting: lagAtEndOfPosting,
      allConsumersCaughtUp: caughtUp.ok,
      consumerLagAtEnd: caughtUp.lag,
      allConsumersCaughtUpSecondsAfterLastPost: round1((caughtUpAt - postedAt) / 1000),
      workPerAcceptedAlert: ctx.diagnostics.perAlert(workBefore, workAfter, phase.accepted),
      ...ctx.diagnostics.end(),
    };
  }

  const postingSeconds = (postedAt - startedAt) / 1000;
  // The pipeline's output while this phase was posting, whichever alerts it belonged to: under overload (or with
  // a backlog left by the previous phase) this is the exchange's real capacity.
  const pipelineDeliveriesPerSecond = Math.round(tracker.arrivedBetween(startedAt, postedAt) / postingSeconds);
  const phaseSeconds = (caughtUpAt - startedAt) / 1000;
  const pipelineOverPhase = tracker.arrivedBetween(startedAt, caughtUpAt) / phaseSeconds;
  const auditComplete = !audit.available || auditResult.status === 'complete';
  const drained =
    phase.visible >= phase.expected && auditComplete && (!diagnostics || diagnostics.allConsumersCaughtUp);
  const incomplete = [];
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
    Math.max(0, resources.machineBusyPercent * require('node:os').cpus().length - measuredPercent),
  );
  const cpuMsPerAlert = {};
  if (drained && phase.accepted > 0) {
    for (const [proc, percent] of Object.entries(resources.cpuPercentOfOneCore)) {
      const idle = (ctx.idle && ctx.idle.cpuPercentOfOneCore[proc]) || 0;
      cpuMsPerAlert[proc] = round1(((Math.max(0, percent - idle) / 100) * resources.seconds * 1000) / phase.accepted);
    }
  }
  const endToEndSeconds = ((phase.lastComplete ?? deliveredAt) - startedAt) / 1000;
  const result = {
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
  log(
    `${name}: ${result.alertsPerSecond} alerts/s, ${result.deliveriesPerSecond} deliveries/s end to end; ` +
      `send→inbox p50 ${result.latencyMs.total.p50} p99 ${result.latencyMs.total.p99} ms, 202→inbox p50 ${result.latencyMs.delivery.p50} p99 ${result.latencyMs.delivery.p99} max ${result.latencyMs.delivery.max} ms ` +
      `(machine busy ${resources.machineBusyPercent} %)` +
      (drained ? '' : ` — INCOMPLETE: ${incomplete.join('; ')}`),
  );
  return result;
}

/**
 * The whole end-to-end section against an environment from environment.startHub(). `audit` comes from
 * audit.js (auditProbe) and says whether the audit log can be counted.
 */
async function runExchange({
  envInfo,
  sampler,
  diagnostics,
  stages,
  audit,
  pg,
  log,
  agencies: agencyCount,
  rate,
  seconds,
  concurrency,
  warmupSeconds,
  onSaturationStart,
  onSaturationEnd,
  cost = null,
  brokers,
}) {
  const gateway = envInfo.urls['agency-gateway'];
  const client = createClient(gateway, { maxSockets: Math.max(256, concurrency * 2) });
  const streams = [];
  try {
    log(`creating ${agencyCount} agencies and keys`);
    const agencies = await createAgencies(client, envInfo.adminKey, agencyCount);
    const tracker = new Tracker();
    const streamErrors = [];
    for (const agency of agencies) {
      const stream = openEventStream(
        gateway,
        '/v1/inbox/stream',
        agency.key,
        (event, data, arrived) => {
          if (event === 'delivery') tracker.onDelivery(data, arrived, agency.id);
          else if (event === 'error') streamErrors.push(`${agency.id}: ${JSON.stringify(data)}`);
        },
        { onError: (error) => streamErrors.push(`${agency.id}: ${error.message}`) },
      );
      streams.push(stream);
      await stream.ready;
    }
    log(`${streams.length} inbox streams open`);

    const ctx = {
      tracker,
      sampler,
      diagnostics,
      stages,
      log,
      audit,
      // Bounded so that an overloaded exchange still ends the run in time; the result then says INCOMPLETE.
      drainTimeoutMs: Math.max(40000, seconds * 3000),
      inboxCount: async () =>
        Number((await pg.query("SELECT count(*)::bigint AS n FROM gateway.inbox WHERE kind <> 'match'")).rows[0].n),
    };

    // Readiness: one alert per agency must reach every recipient (reference data replicated to the node).
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

    const warmup = tracker.begin('warm-up');
    const warmupRate = Math.max(1, Math.min(Math.round(rate / 2), 20));
    log(`warm-up: ${warmupRate} alerts/s for ${warmupSeconds} s (not measured)`);
    await openLoop(client, tracker, agencies, { rate: warmupRate, seconds: warmupSeconds, offset: 1000 });
    const warmDeadline = Date.now() + 60000;
    while (warmup.visible < warmup.expected && Date.now() < warmDeadline) await sleep(50);
    if (audit.available) await audit.waitFor(await audit.expectedTotal(), Date.now() + 60000);
    if (diagnostics) await diagnostics.waitCaughtUp(Date.now() + 60000);
    // What the hub burns with no traffic at all (consumer polling, outbox relays, timers), subtracted per alert.
    sampler.mark('idle');
    await sleep(5000);
    ctx.idle = sampler.end();
    log(
      `idle: ${Object.entries(ctx.idle.cpuPercentOfOneCore)
        .map(([k, v]) => `${k} ${v}%`)
        .join(', ')}`,
    );

    let offset = 100000;
    const fixedLoad = () => openLoop(client, tracker, agencies, { rate, seconds, offset: (offset += 1000000) });
    fixedLoad.describe = `open loop, ${rate} alerts/s for ${seconds} s`;
    log(`fixed load: ${fixedLoad.describe}`);
    const fixed = await runPhase(ctx, 'fixed-rate', fixedLoad);

    const saturationLoad = () =>
      closedLoop(client, tracker, agencies, { concurrency, seconds, offset: (offset += 1000000) });
    saturationLoad.describe = `closed loop, ${concurrency} requests in flight for ${seconds} s`;
    log(`saturation: ${saturationLoad.describe}`);
    // Profiles (--profile) cover the saturation phase from its first request until every consumer has caught up.
    const saturation = await runPhase(ctx, 'saturation', saturationLoad, {
      onStart: onSaturationStart,
      onDrained: onSaturationEnd,
    });

    let costResult = { status: 'skipped (--cost-alerts 0)' };
    if (cost && cost.alertsPerBatch > 0) {
      if (!audit.available) costResult = { status: 'n/a (audit-log not built)' };
      else {
        const { runCost } = require('./cost');
        log(
          `cost: ${cost.alertsPerBatch} restricted and ${cost.alertsPerBatch} regional alerts at ${cost.rate}/s, with ${agencies.length} then ${cost.largeAgencyCount} known agencies`,
        );
        costResult = await runCost(
          {
            client,
            tracker,
            posters: agencies,
            recipientsFor,
            log,
            audit,
            pg,
            diagnostics,
            brokers,
            database: envInfo.databaseName,
            counters: envInfo.counters,
            onboard: (count) => createAgencies(client, envInfo.adminKey, count, { from: agencies.length }),
          },
          cost,
        );
      }
    }

    return {
      cost: costResult,
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

module.exports = { runExchange, recipientsFor };
