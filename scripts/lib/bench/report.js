'use strict';
/** The plain-text table printed at the end of a run, and the goals it is held against (reported, not asserted). */

const n = (v) => (v === null || v === undefined ? '–' : typeof v === 'number' ? v.toLocaleString('en-US') : String(v));
const pad = (text, width) => String(text).padEnd(width);
const lat = (s) => (s && s.count ? `${n(s.p50)} / ${n(s.p95)} / ${n(s.p99)} / ${n(s.max)}` : '–');

function goals(results) {
  const e2e = results.endToEnd;
  const list = [];
  const sat = e2e && e2e.saturation;
  const fixed = e2e && e2e.fixed;
  const sustained = sat ? Math.max(sat.alertsPerSecond, (sat.pipeline && sat.pipeline.alertsPerSecond) || 0) : null;
  list.push({
    goal: '≥ 2,000 alerts/s sustained end to end',
    measured: sat ? `${n(sustained)} alerts/s (pipeline output at saturation)` : 'not run',
    met: sat ? sustained >= 2000 : null,
  });
  list.push({
    goal: 'p99 < 50 ms (202 → inbox) at the fixed rate',
    measured: fixed ? `${n(fixed.latencyMs.delivery.p99)} ms at ${results.options.rate} alerts/s` : 'not run',
    met: fixed ? fixed.latencyMs.delivery.p99 !== null && fixed.latencyMs.delivery.p99 < 50 && fixed.complete : null,
  });
  const verify = results.audit && results.audit.verify;
  list.push({
    goal: 'audit verify ≥ 200,000 entries/s',
    measured: verify
      ? `${n(verify.entriesPerSecond)} entries/s (${verify.how})` +
        (results.audit.verifyLibraryInMemory ? `; library alone ${n(results.audit.verifyLibraryInMemory.entriesPerSecond)}` : '')
      : (results.audit && results.audit.status) || 'not run',
    met: verify ? verify.entriesPerSecond >= 200000 : null,
  });
  const rss = results.peakRssMb || {};
  const peaks = {};
  for (const service of ['agency-gateway', 'coordination-node', 'audit-log']) {
    const values = Object.entries(rss).filter(([name]) => name === service || name.startsWith(`${service} (`)).map(([, mb]) => mb);
    if (values.length) peaks[service] = Math.max(...values);
  }
  list.push({
    goal: 'each service < 250 MB RSS',
    measured: Object.entries(peaks).map(([s, mb]) => `${s} ${mb} MB`).join(', ') || 'not run',
    met: Object.keys(peaks).length ? Object.values(peaks).every((mb) => mb < 250) : null,
  });
  return list;
}

function ratios(results) {
  const base = results.baseline;
  const sat = results.endToEnd && results.endToEnd.saturation;
  if (!base || !sat) return null;
  const r = (a, b) => (b ? Math.round((a / b) * 10000) / 10000 : null);
  const sustained = Math.max(sat.alertsPerSecond, (sat.pipeline && sat.pipeline.alertsPerSecond) || 0);
  return {
    sustainedAlertsPerSecond: sustained,
    alertsPerSecondOverBatchedBaseline: r(sustained, base.batched.messagesPerSecond),
    alertsPerSecondOverSingleSendBaseline: r(sustained, base.single.messagesPerSecond),
    fixedRateP99OverBaselineP99: results.endToEnd.fixed && base.latency.latencyMs.p99 ? Math.round((results.endToEnd.fixed.latencyMs.delivery.p99 / base.latency.latencyMs.p99) * 10) / 10 : null,
  };
}

function renderTable(results) {
  const m = results.machine;
  const lines = [];
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
  const b = results.baseline;
  lines.push('');
  if (b) {
    lines.push(`BASELINE — raw kafkajs produce→consume, bench broker, acks=-1, idempotent, ${b.partitions} partitions, ${n(b.messageBytes)}-byte AlertSubmittedMessage`);
    lines.push(`  ${pad('batched (100 per send, 4 sends in flight)', 52)} ${n(b.batched.messagesPerSecond)} msg/s`);
    lines.push(`  ${pad('one message per send (64 sends in flight)', 52)} ${n(b.single.messagesPerSecond)} msg/s`);
    lines.push(`  ${pad(`produce→consume latency at ${b.latency.rate} msg/s (ms)`, 52)} p50/p95/p99/max ${lat(b.latency.latencyMs)}`);
  } else lines.push(`BASELINE — ${results.baselineStatus || 'not run'}`);

  const e = results.endToEnd;
  lines.push('');
  if (e) {
    const f = e.fixed;
    const s = e.saturation;
    lines.push(`END TO END — ${e.agencies} agencies, ${e.recipientsPerAlert}; HTTP 202 → Kafka → routing → Kafka → inbox → SSE`);
    const row = (label, a, c) => lines.push(`  ${pad(label, 40)} ${pad(a, 30)} ${c}`);
    row('', `fixed rate (${results.options.rate}/s, open loop)`, `saturation (${results.options.concurrency} in flight)`);
    row('alerts accepted (202) per second', n(f.acceptedPerSecond), n(s.acceptedPerSecond));
    row('alerts per second, end to end', n(f.alertsPerSecond), n(s.alertsPerSecond));
    row('deliveries per second', n(f.deliveriesPerSecond), n(s.deliveriesPerSecond));
    row('pipeline output while posting (deliv./s)', n(f.pipelineDeliveriesPerSecondWhilePosting), n(s.pipelineDeliveriesPerSecondWhilePosting));
    const pipe = (p) => (p.pipeline ? `${n(p.pipeline.alertsPerSecond)} (${n(p.pipeline.deliveriesPerSecond)} deliv./s)` : '–');
    row('pipeline output over the phase, alerts/s', pipe(f), pipe(s));
    row('audit entries per second', f.audit.entriesPerSecond !== undefined ? n(f.audit.entriesPerSecond) : f.audit.status, s.audit.entriesPerSecond !== undefined ? n(s.audit.entriesPerSecond) : s.audit.status);
    row('202 → inbox ms p50/p95/p99/max', lat(f.latencyMs.delivery), lat(s.latencyMs.delivery));
    row('send → 202 ms p50/p95/p99/max', lat(f.latencyMs.submit), lat(s.latencyMs.submit));
    if (f.latencyMs.hops) {
      row('  hop: routing (submitted → delivery msg)', lat(f.latencyMs.hops.routingSubmittedToDeliveryInKafka), lat(s.latencyMs.hops.routingSubmittedToDeliveryInKafka));
      row('  hop: delivery msg → recipient stream', lat(f.latencyMs.hops.deliveryInKafkaToRecipientStream), lat(s.latencyMs.hops.deliveryInKafkaToRecipientStream));
    }
    row('alerts / deliveries (complete?)', `${n(f.accepted)} / ${n(f.deliveriesVisible)} (${f.complete ? 'yes' : 'NO'})`, `${n(s.accepted)} / ${n(s.deliveriesVisible)} (${s.complete ? 'yes' : 'NO'})`);
    row('drain after the last post (s)', n(f.drainSecondsAfterLastPost), n(s.drainSecondsAfterLastPost));
    row('HTTP errors', JSON.stringify(f.errors), JSON.stringify(s.errors));
    for (const proc of Object.keys(s.resources.cpuPercentOfOneCore)) {
      row(`CPU % of one core: ${proc}`, n(f.resources.cpuPercentOfOneCore[proc]), n(s.resources.cpuPercentOfOneCore[proc]));
    }
    row('machine busy %', n(f.resources.machineBusyPercent), n(s.resources.machineBusyPercent));
    if (typeof f.cpuMsPerAlertAboveIdle === 'object' || typeof s.cpuMsPerAlertAboveIdle === 'object') {
      const total = (c) => (typeof c === 'object' ? n(Math.round(Object.entries(c).filter(([k]) => !k.startsWith('bench client')).reduce((a, [, v]) => a + v, 0))) : 'n/a (not drained)');
      row('hub CPU ms per alert (above idle)', total(f.cpuMsPerAlertAboveIdle), total(s.cpuMsPerAlertAboveIdle));
    }
    for (const proc of Object.keys(s.resources.peakRssMb)) row(`peak RSS MB: ${proc}`, n(f.resources.peakRssMb[proc]), n(s.resources.peakRssMb[proc]));
    if (s.diagnostics) {
      for (const key of Object.keys(s.diagnostics.maxConsumerLag)) {
        row(`max consumer lag: ${key}`, n(f.diagnostics && f.diagnostics.maxConsumerLag[key]), n(s.diagnostics.maxConsumerLag[key]));
      }
      const busiest = (d) => {
        if (!d) return '–';
        const all = Object.values(d.averageBusyDatabaseConnections).reduce((acc, states) => acc + Object.values(states).reduce((a, b) => a + b, 0), 0);
        return n(Math.round(all * 10) / 10);
      };
      row('busy PostgreSQL connections (average)', busiest(f.diagnostics), busiest(s.diagnostics));
    }
  } else lines.push(`END TO END — ${results.endToEndStatus || 'not run'}`);

  const a = results.audit;
  lines.push('');
  if (a && a.verify) {
    lines.push(`AUDIT AT ${n(a.entries)} ENTRIES — ${a.note}`);
    for (const [label, value] of a.rows) lines.push(`  ${pad(label, 52)} ${value}`);
  } else lines.push(`AUDIT AT 1,000,000 ENTRIES — ${(a && a.status) || 'not run'}`);

  lines.push('');
  lines.push('GOALS (reported, not asserted)');
  for (const g of results.goals) lines.push(`  ${pad(g.goal, 46)} ${pad(g.measured, 56)} ${g.met === null ? 'n/a' : g.met ? 'met' : 'NOT met'}`);
  lines.push('');
  lines.push(`  peak RSS over the whole run (VmHWM): ${Object.entries(results.peakRssMb || {}).map(([k, v]) => `${k} ${v} MB`).join(', ')}`);
  lines.push(`  results: ${results.resultsFile}`);
  lines.push('');
  const r = results.ratios;
  if (r) {
    lines.push(
      `RATIO end to end / baseline: ${n(r.sustainedAlertsPerSecond)} alerts/s = ${r.alertsPerSecondOverBatchedBaseline} of batched raw Kafka msg/s, ` +
        `${r.alertsPerSecondOverSingleSendBaseline} of one-message-per-send raw Kafka msg/s` +
        (r.fixedRateP99OverBaselineP99 ? `; p99 latency ${r.fixedRateP99OverBaselineP99}× the raw Kafka p99` : ''),
    );
  } else lines.push('RATIO end to end / baseline: n/a (a section did not run)');
  return lines.join('\n');
}

module.exports = { renderTable, goals, ratios };
