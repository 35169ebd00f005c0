/** The plain-text table printed at the end of a run, and the goals it is held against (reported, not asserted). */
import type { LatencySummary } from './metrics';
import type { BulkResult } from './bulk';
import type { BenchResults, CostResult, ExchangePhaseResult, Goal, PhaseDiagnostics, Ratios } from './results';

/** A figure as the table prints it: en-US digit grouping, '–' when there is none. */
export const n = (v: unknown): string =>
  v === null || v === undefined ? '–' : typeof v === 'number' ? v.toLocaleString('en-US') : String(v);
const pad = (text: unknown, width: number) => String(text).padEnd(width);
/** p50 / p95 / p99 / max, or '–' without samples. */
export const lat = (s: LatencySummary | null | undefined): string =>
  s && s.count ? `${n(s.p50)} / ${n(s.p95)} / ${n(s.p99)} / ${n(s.max)}` : '–';

/** Hub CPU ms per alert above idle: every measured process but the load generator; null when the phase did not drain. */
export function hubCpuMsPerAlert(c: ExchangePhaseResult['cpuMsPerAlertAboveIdle']): number | null {
  if (typeof c !== 'object') return null;
  return Object.entries(c)
    .filter(([k]) => !k.startsWith('bench client'))
    .reduce((a, [, v]) => a + v, 0);
}

/** The goals the run is held against (issue 22's three, the audit and memory goals of issue 13), each with what was measured and whether it was met (null: not run). */
export function goals(results: BenchResults): Goal[] {
  const e2e = results.endToEnd;
  const list: Goal[] = [];
  const sat = e2e && e2e.saturation;
  const fixed = e2e && e2e.fixed;
  const ratio = ratios(results);
  list.push({
    goal: '≥ 0.07 × raw batched kafkajs at saturation',
    measured: ratio
      ? `${n(ratio.alertsPerSecondOverBatchedBaseline)} (${n(ratio.sustainedAlertsPerSecond)} alerts/s over ${n(results.baseline?.batched.messagesPerSecond)} msg/s)`
      : sat
        ? 'not run (--skip-baseline)'
        : 'not run',
    met:
      ratio && ratio.alertsPerSecondOverBatchedBaseline !== null
        ? ratio.alertsPerSecondOverBatchedBaseline >= 0.07
        : null,
  });
  const cpu = sat ? hubCpuMsPerAlert(sat.cpuMsPerAlertAboveIdle) : null;
  list.push({
    goal: '≤ 1 ms of hub CPU per alert at saturation',
    measured: sat
      ? cpu === null
        ? 'n/a (not drained)'
        : `${n(Math.round(cpu * 10) / 10)} ms (services, their PostgreSQL backends and the broker, above idle)`
      : 'not run',
    met: cpu === null ? null : cpu <= 1,
  });
  list.push({
    goal: 'p99 < 50 ms (send → inbox) at the fixed rate',
    measured: fixed
      ? `${n(fixed.latencyMs.total.p99)} ms at ${results.options.rate} alerts/s (machine busy ${n(fixed.resources.machineBusyPercent)} %; 202 → inbox ${n(fixed.latencyMs.delivery.p99)} ms; ${n(fixed.latencyMs.total.count)} samples)`
      : 'not run',
    met: fixed ? fixed.latencyMs.total.p99 !== null && fixed.latencyMs.total.p99 < 50 && fixed.drainedCompletely : null,
  });
  const light = fixed && results.options.rate <= 10;
  list.push({
    goal: 'light load is light: < 15 % busy at ≤ 10 alerts/s',
    measured: light
      ? `${n(fixed.resources.machineBusyPercent)} % at ${results.options.rate} alerts/s`
      : fixed
        ? `not run (--rate ${results.options.rate}; run with --rate 10)`
        : 'not run',
    met: light ? fixed.resources.machineBusyPercent < 15 : null,
  });
  const hits = results.endToEnd?.bulk?.hits;
  list.push({
    goal: 'hit query of 10,000 identifiers well under 1 s',
    measured: hits
      ? `${hits.ms.map((ms) => n(ms)).join(' / ')} ms for ${n(hits.identifiers)} (${n(hits.known)} known; busy ${n(hits.machineBusyPercent)} %)`
      : results.endToEnd?.bulk?.status || 'not run',
    met: hits ? hits.identifiers >= 10000 && Math.max(...hits.ms) < 1000 : null,
  });
  const audit = results.audit;
  const verify = audit && audit.verify;
  list.push({
    goal: 'audit verify ≥ 200,000 entries/s',
    measured: verify
      ? `${n(verify.entriesPerSecond)} entries/s (${verify.how})` +
        (audit?.verifyLibraryInMemory ? `; library alone ${n(audit.verifyLibraryInMemory.entriesPerSecond)}` : '')
      : (results.audit && results.audit.status) || 'not run',
    met: verify ? verify.entriesPerSecond >= 200000 : null,
  });
  const rss = results.peakRssMb || {};
  const peaks: Record<string, number> = {};
  for (const service of ['agency-gateway', 'coordination-node', 'audit-log']) {
    const values = Object.entries(rss)
      .filter(([name]) => name === service || name.startsWith(`${service} (`))
      .map(([, mb]) => mb);
    if (values.length) peaks[service] = Math.max(...values);
  }
  list.push({
    goal: 'each service < 250 MB RSS',
    measured:
      Object.entries(peaks)
        .map(([s, mb]) => `${s} ${mb} MB`)
        .join(', ') || 'not run',
    met: Object.keys(peaks).length ? Object.values(peaks).every((mb) => mb < 250) : null,
  });
  return list;
}

/** End to end over the raw Kafka baseline; null when either did not run. */
export function ratios(results: BenchResults): Ratios | null {
  const base = results.baseline;
  const sat = results.endToEnd && results.endToEnd.saturation;
  if (!base || !sat) return null;
  const r = (a: number, b: number) => (b ? Math.round((a / b) * 10000) / 10000 : null);
  const sustained = Math.max(sat.alertsPerSecond, (sat.pipeline && sat.pipeline.alertsPerSecond) || 0);
  return {
    sustainedAlertsPerSecond: sustained,
    alertsPerSecondOverBatchedBaseline: r(sustained, base.batched.messagesPerSecond),
    alertsPerSecondOverSingleSendBaseline: r(sustained, base.single.messagesPerSecond),
    // send → inbox (what a sender experiences) at the fixed rate, over the raw produce → consume p99.
    fixedRateP99OverBaselineP99:
      results.endToEnd?.fixed && base.latency.latencyMs.p99
        ? Math.round(((results.endToEnd.fixed.latencyMs.total.p99 as number) / base.latency.latencyMs.p99) * 10) / 10
        : null,
  };
}

/** The table printed at the end of a run (goals and ratios already computed). */
export function renderTable(results: BenchResults): string {
  const m = results.machine;
  const lines: string[] = [];
  lines.push('');
  lines.push(`Alert Exchange Hub benchmark — ${results.startedAt}`);
  lines.push(
    `  machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, Kafka ${m.kafka}, ${m.postgres}, ` +
      `commit ${m.gitCommit}${m.gitDirty ? ' (+ uncommitted changes)' : ''}`,
  );
  lines.push(
    `  load average at start ${m.loadAverageStart.join(' ')}, at end ${(m.loadAverageEnd || []).join(' ')}; ` +
      `jest running at start: ${m.jestRunningAtStart ? 'YES (numbers are noisy)' : 'no'}, at end: ${m.jestRunningAtEnd ? 'YES' : 'no'}`,
  );
  if (m.postgresSettings) {
    const ps = m.postgresSettings;
    lines.push(
      `  PostgreSQL: fsync ${ps.fsync}, synchronous_commit ${ps.synchronous_commit}, shared_buffers ${ps.shared_buffers}, wal_level ${ps.wal_level}, commit_delay ${ps.commit_delay}`,
    );
  }
  if (m.kafkaBroker) {
    const kb = m.kafkaBroker;
    lines.push(
      'brokers' in kb
        ? `  Kafka: ${kb.brokers} broker(s), replication factor of the hub's topics ${kb.replicationFactorOfHubTopics} (default ${kb.defaultReplicationFactor}), min.insync.replicas ${kb.minInsyncReplicas}`
        : `  Kafka broker: ${kb.error}`,
    );
  }
  const b = results.baseline;
  lines.push('');
  if (b) {
    lines.push(
      `BASELINE — raw kafkajs produce→consume, bench broker, acks=-1, idempotent, ${b.partitions} partitions, ${n(b.messageBytes)}-byte AlertSubmittedMessage`,
    );
    lines.push(`  ${pad('batched (100 per send, 4 sends in flight)', 52)} ${n(b.batched.messagesPerSecond)} msg/s`);
    lines.push(`  ${pad('one message per send (64 sends in flight)', 52)} ${n(b.single.messagesPerSecond)} msg/s`);
    if (b.singleHubSettings) {
      lines.push(
        `  ${pad("the same with the hub's producer (not idempotent, 1 req. in flight)", 52)} ${n(b.singleHubSettings.messagesPerSecond)} msg/s`,
      );
    }
    lines.push(
      `  ${pad(`produce→consume latency at ${b.latency.rate} msg/s (ms)`, 52)} p50/p95/p99/max ${lat(b.latency.latencyMs)} (machine busy ${n(b.latency.machineBusyPercent)} %)`,
    );
  } else lines.push(`BASELINE — ${results.baselineStatus || 'not run'}`);

  const e = results.endToEnd;
  lines.push('');
  if (e) {
    const f = e.fixed;
    const s = e.saturation;
    lines.push(
      `END TO END — ${e.agencies} agencies, ${e.recipientsPerAlert}; HTTP 202 → Kafka → routing → Kafka → inbox → SSE`,
    );
    const row = (label: string, a: string, c: string) => lines.push(`  ${pad(label, 40)} ${pad(a, 30)} ${c}`);
    row(
      '',
      `fixed rate (${results.options.rate}/s, open loop)`,
      `saturation (${results.options.concurrency} in flight)`,
    );
    row('alerts accepted (202) per second', n(f.acceptedPerSecond), n(s.acceptedPerSecond));
    row('alerts per second, end to end', n(f.alertsPerSecond), n(s.alertsPerSecond));
    row('deliveries per second', n(f.deliveriesPerSecond), n(s.deliveriesPerSecond));
    row(
      'pipeline output while posting (deliv./s)',
      n(f.pipelineDeliveriesPerSecondWhilePosting),
      n(s.pipelineDeliveriesPerSecondWhilePosting),
    );
    const pipe = (p: ExchangePhaseResult) =>
      p.pipeline ? `${n(p.pipeline.alertsPerSecond)} (${n(p.pipeline.deliveriesPerSecond)} deliv./s)` : '–';
    row('pipeline output over the phase, alerts/s', pipe(f), pipe(s));
    row('audit entries per second', auditRate(f), auditRate(s));
    // Every latency figure with how busy the machine was over the same phase: queueing on a saturated machine is
    // not the path's latency.
    const busy = (p: ExchangePhaseResult) => `busy ${n(p.resources.machineBusyPercent)} %`;
    row(
      'machine busy % (all cores, whole phase)',
      n(f.resources.machineBusyPercent),
      n(s.resources.machineBusyPercent),
    );
    row(
      'send → inbox ms p50/p95/p99/max',
      `${lat(f.latencyMs.total)} (${busy(f)})`,
      `${lat(s.latencyMs.total)} (${busy(s)})`,
    );
    row(
      '202 → inbox ms p50/p95/p99/max',
      `${lat(f.latencyMs.delivery)} (${busy(f)})`,
      `${lat(s.latencyMs.delivery)} (${busy(s)})`,
    );
    row(
      'send → 202 ms p50/p95/p99/max',
      `${lat(f.latencyMs.submit)} (${busy(f)})`,
      `${lat(s.latencyMs.submit)} (${busy(s)})`,
    );
    if (f.latencyMs.hops) {
      const hop = (
        p: ExchangePhaseResult,
        key: 'routingSubmittedToDeliveryInKafka' | 'deliveryInKafkaToRecipientStream',
      ) => `${lat(p.latencyMs.hops?.[key])} (${busy(p)})`;
      row(
        '  hop: routing (submitted → delivery msg)',
        hop(f, 'routingSubmittedToDeliveryInKafka'),
        hop(s, 'routingSubmittedToDeliveryInKafka'),
      );
      row(
        '  hop: delivery msg → recipient stream',
        hop(f, 'deliveryInKafkaToRecipientStream'),
        hop(s, 'deliveryInKafkaToRecipientStream'),
      );
      const topics = Object.keys({
        ...f.latencyMs.hops.deliveryTopicRecords,
        ...s.latencyMs.hops?.deliveryTopicRecords,
      });
      if (topics.length) row('  (delivery messages read from)', topics.join(', '), '');
    }
    lines.push(
      "  (send = the request's intended start: its slot in the open loop, or when the closed loop sent it; inbox = arrival on the recipient's stream)",
    );
    row(
      'alerts / deliveries (complete?)',
      `${n(f.accepted)} / ${n(f.deliveriesVisible)} (${f.complete ? 'yes' : 'NO'})`,
      `${n(s.accepted)} / ${n(s.deliveriesVisible)} (${s.complete ? 'yes' : 'NO'})`,
    );
    row('drain after the last post (s)', n(f.drainSecondsAfterLastPost), n(s.drainSecondsAfterLastPost));
    const drained = (p: ExchangePhaseResult) =>
      p.drainedCompletely ? 'yes' : `INCOMPLETE${p.incomplete ? `: ${p.incomplete.join('; ')}` : ''}`;
    row('drained (deliveries, audit log, consumer lag)', drained(f), drained(s));
    row('HTTP errors', JSON.stringify(f.errors), JSON.stringify(s.errors));
    for (const proc of Object.keys(s.resources.cpuPercentOfOneCore)) {
      row(
        `CPU % of one core: ${proc}`,
        n(f.resources.cpuPercentOfOneCore[proc]),
        n(s.resources.cpuPercentOfOneCore[proc]),
      );
    }
    row(
      'CPU % of one core: other processes',
      n(f.resources.otherProcessesPercentOfOneCore),
      n(s.resources.otherProcessesPercentOfOneCore),
    );
    if (typeof f.cpuMsPerAlertAboveIdle === 'object' || typeof s.cpuMsPerAlertAboveIdle === 'object') {
      const total = (c: ExchangePhaseResult['cpuMsPerAlertAboveIdle']) => {
        const ms = hubCpuMsPerAlert(c);
        return ms === null ? 'n/a (not drained)' : n(Math.round(ms));
      };
      row('hub CPU ms per alert (above idle)', total(f.cpuMsPerAlertAboveIdle), total(s.cpuMsPerAlertAboveIdle));
    }
    for (const proc of Object.keys(s.resources.peakRssMb))
      row(`peak RSS MB: ${proc}`, n(f.resources.peakRssMb[proc]), n(s.resources.peakRssMb[proc]));
    if (s.diagnostics) {
      for (const key of Object.keys(s.diagnostics.maxConsumerLag)) {
        row(
          `max consumer lag: ${key}`,
          n(f.diagnostics && f.diagnostics.maxConsumerLag[key]),
          n(s.diagnostics.maxConsumerLag[key]),
        );
      }
      const busiest = (d: PhaseDiagnostics | null) => {
        if (!d) return '–';
        const all = Object.values(d.averageBusyDatabaseConnections).reduce(
          (acc, states) => acc + Object.values(states).reduce((a, b) => a + b, 0),
          0,
        );
        return n(Math.round(all * 10) / 10);
      };
      row('busy PostgreSQL connections (average)', busiest(f.diagnostics), busiest(s.diagnostics));
    }
    lines.push(...renderWork(f, s));
  } else lines.push(`END TO END — ${results.endToEndStatus || 'not run'}`);

  if (e && e.cost) lines.push(...renderCost(e.cost));
  if (e && e.bulk) lines.push(...renderBulk(e.bulk));

  const a = results.audit;
  lines.push('');
  if (a && a.verify) {
    lines.push(`AUDIT AT ${n(a.entries)} ENTRIES — ${a.note}`);
    for (const [label, value] of a.rows || []) lines.push(`  ${pad(label, 52)} ${value}`);
  } else lines.push(`AUDIT LOG — ${(a && a.status) || 'not run'}`);

  lines.push('');
  lines.push('GOALS (reported, not asserted)');
  for (const g of results.goals || [])
    lines.push(`  ${pad(g.goal, 46)} ${pad(g.measured, 56)} ${g.met === null ? 'n/a' : g.met ? 'met' : 'NOT met'}`);
  lines.push('');
  lines.push(
    `  peak RSS over the whole run (VmHWM): ${Object.entries(results.peakRssMb || {})
      .map(([k, v]) => `${k} ${v} MB`)
      .join(', ')}`,
  );
  lines.push(`  results: ${results.resultsFile}`);
  lines.push('');
  const r = results.ratios;
  if (r) {
    lines.push(
      `RATIO end to end / baseline: ${n(r.sustainedAlertsPerSecond)} alerts/s = ${r.alertsPerSecondOverBatchedBaseline} of batched raw Kafka msg/s, ` +
        `${r.alertsPerSecondOverSingleSendBaseline} of one-message-per-send raw Kafka msg/s` +
        (r.fixedRateP99OverBaselineP99 ? `; p99 send → inbox ${r.fixedRateP99OverBaselineP99}× the raw Kafka p99` : ''),
    );
  } else lines.push('RATIO end to end / baseline: n/a (a section did not run)');
  return lines.join('\n');
}

/** The per-alert cost table: one column per batch (restricted / regional × known agencies). */
export function renderCost(cost: CostResult): string[] {
  const lines = [''];
  if (!cost.batches) {
    lines.push(`COST PER ALERT — ${cost.status || 'not run'}`);
    return lines;
  }
  const kinds = ['restricted', 'regional'];
  const batches = [...cost.batches].sort((x, y) =>
    x.kind === y.kind ? x.knownAgencies - y.knownAgencies : kinds.indexOf(x.kind) - kinds.indexOf(y.kind),
  );
  lines.push(
    `COST PER ALERT — batches of ${n(cost.alertsPerBatch)} alerts at ${n(cost.rate)}/s, each drained; counted per accepted alert ` +
      `(${n(cost.seconds)} s in all)`,
  );
  const width = 16;
  const row = (label: string, values: string[]) =>
    lines.push(`  ${pad(label, 52)} ${values.map((v) => pad(v, width)).join(' ')}`);
  row(
    '',
    batches.map((b) => `${b.kind}, ${b.knownAgencies}`),
  );
  row(
    'routing candidates per version (routing fact)',
    batches.map((b) => n(b.routingCandidatesPerVersion)),
  );
  row(
    'deliveries (inbox rows) per alert',
    batches.map((b) => n(b.deliveriesPerAlert)),
  );
  row(
    'Kafka messages, all topics',
    batches.map((b) => n(b.kafkaMessages)),
  );
  const topics = [...new Set(batches.flatMap((b) => Object.keys(b.kafkaMessagesByTopic || {})))].sort();
  for (const topic of topics)
    row(
      `  ${topic}`,
      batches.map((b) => n((b.kafkaMessagesByTopic || {})[topic] || 0)),
    );
  row(
    'audit entries, all types',
    batches.map((b) => n(b.auditEntries)),
  );
  const types = [...new Set(batches.flatMap((b) => Object.keys(b.auditEntriesByType || {})))].sort();
  for (const type of types)
    row(
      `  ${type}`,
      batches.map((b) => n((b.auditEntriesByType || {})[type] || 0)),
    );
  const apps = [...new Set(batches.flatMap((b) => Object.keys(b.services || {})))];
  for (const app of apps) {
    row(
      `SQL statements: ${app} (all / above idle)`,
      batches.map((b) =>
        b.services ? `${n(b.services[app].sqlStatements)} / ${n(b.services[app].sqlStatementsAboveIdle)}` : '–',
      ),
    );
  }
  for (const app of apps) {
    row(
      `COMMITs: ${app} (all / above idle)`,
      batches.map((b) => (b.services ? `${n(b.services[app].commits)} / ${n(b.services[app].commitsAboveIdle)}` : '–')),
    );
  }
  for (const app of apps)
    row(
      `Kafka produce calls: ${app}`,
      batches.map((b) => (b.services ? n(b.services[app].produceCalls) : '–')),
    );
  row(
    'DB transactions (pg_stat_database; bench observer incl.)',
    batches.map((b) => n(b.databaseTransactions)),
  );
  row(
    'drained completely',
    batches.map((b) => (b.complete ? 'yes' : 'INCOMPLETE')),
  );
  lines.push(
    `  idle, per second: ${Object.entries(cost.idle || {})
      .map(([app, r]) => `${app} ${n(r.sqlStatementsPerSecond)} statements, ${n(r.commitsPerSecond)} COMMITs`)
      .join('; ')}`,
  );
  lines.push(
    '  only the original agencies post and hold inbox streams; onboarded ones receive regional alerts into their inboxes and read nothing',
  );
  return lines;
}

/** Audit entries per second of a phase, or why there is no figure. */
function auditRate(phase: ExchangePhaseResult): string {
  return 'entriesPerSecond' in phase.audit && phase.audit.entriesPerSecond !== undefined
    ? n(phase.audit.entriesPerSecond)
    : phase.audit.status;
}

/**
 * Per alert in each phase (issue 22 asks for them at saturation): statements, COMMITs, produce calls and Kafka
 * requests by API per service, WAL records and fsyncs, Kafka records per topic; consumer batches by size over the phase.
 */
export function renderWork(fixed: ExchangePhaseResult, saturation: ExchangePhaseResult): string[] {
  const work = (p: ExchangePhaseResult) => p.diagnostics?.workPerAcceptedAlert ?? null;
  const [f, s] = [work(fixed), work(saturation)];
  if (!f && !s) return [];
  const lines = [
    '  PER ALERT (counted over each phase; fixed rate | saturation; consumer batches: size:count over the phase)',
  ];
  const row = (label: string, a: string, c: string) => lines.push(`  ${pad(label, 40)} ${pad(a, 30)} ${c}`);
  const walOf = (w: typeof f) =>
    w?.walPerAlert
      ? `${n(w.walPerAlert.records)} rec, ${n(w.walPerAlert.syncs)} fsync, ${n(w.walPerAlert.bytes)} B`
      : '–';
  row('WAL (pg_stat_wal, whole server)', walOf(f), walOf(s));
  row('database transactions', n(f?.databaseTransactions), n(s?.databaseTransactions));
  const topics = Object.keys({ ...f?.kafkaMessages, ...s?.kafkaMessages });
  for (const topic of topics) row(`  Kafka records: ${topic}`, n(f?.kafkaMessages[topic]), n(s?.kafkaMessages[topic]));
  const apps = Object.keys({ ...f?.services, ...s?.services });
  for (const app of apps) {
    const [fa, sa] = [f?.services?.[app], s?.services?.[app]];
    const calls = (x: typeof fa) => (x ? `${n(x.sqlStatements)} / ${n(x.commits)} / ${n(x.produceCalls)}` : '–');
    row(`${app}: SQL / COMMIT / produce calls`, calls(fa), calls(sa));
    const requests = (x: typeof fa) =>
      x
        ? Object.entries(x.kafkaRequests)
            .sort((a, b) => b[1] - a[1])
            .slice(0, 4)
            .map(([api, v]) => `${api} ${n(v)}`)
            .join(', ') || '–'
        : '–';
    row(`${app}: Kafka requests`, requests(fa), requests(sa));
    const batches = (x: typeof fa) =>
      x
        ? Object.entries(x.consumerBatches)
            .map(
              ([topic, b]) =>
                `${topic.replace(/\.v\d+$/, '')} ${Object.entries(b.bySize)
                  .map(([size, count]) => `${size}:${n(count)}`)
                  .join(' ')}`,
            )
            .join('; ') || '–'
        : '–';
    // Long: one line per phase.
    lines.push(`  ${pad(`${app}: consumer batches, fixed`, 40)} ${batches(fa)}`);
    lines.push(`  ${pad(`${app}: consumer batches, saturation`, 40)} ${batches(sa)}`);
  }
  return lines;
}

/** Issue 27's bulk endpoints (bulk.ts). */
export function renderBulk(bulk: BulkResult): string[] {
  const lines = [''];
  const sub = bulk.submission;
  if (!sub) return [...lines, `BULK — ${bulk.status}`];
  lines.push(
    `BULK — ${n(sub.requests)} × POST /v1/alerts/batch of ${n(sub.linesPerRequest)} NDJSON lines, then POST /v1/hits`,
  );
  lines.push(`  ${pad('alerts accepted (refused by status)', 52)} ${n(sub.accepted)} (${JSON.stringify(sub.refused)})`);
  lines.push(`  ${pad('request ms p50/p95/p99/max', 52)} ${lat(sub.requestMs)}`);
  lines.push(`  ${pad('alerts/s over the requests', 52)} ${n(sub.alertsPerSecondAccepted)}`);
  lines.push(
    `  ${pad('alerts/s end to end (every delivery on its stream)', 52)} ${n(sub.alertsPerSecondEndToEnd)}${sub.complete ? '' : ' (INCOMPLETE)'} (busy ${n(sub.machineBusyPercent)} %)`,
  );
  lines.push(`  ${pad('hub CPU ms per alert (idle included)', 52)} ${n(sub.hubCpuMsPerAlert)}`);
  if (bulk.hits) {
    const h = bulk.hits;
    lines.push(
      `  ${pad(`POST /v1/hits, ${n(h.identifiers)} identifiers (${n(h.known)} known), ms`, 52)} ${h.ms.map((ms) => n(ms)).join(' / ')} (hits ${h.hitsPerQuery.map((x) => n(x)).join(' / ')}; busy ${n(h.machineBusyPercent)} %)`,
    );
  }
  return lines;
}
