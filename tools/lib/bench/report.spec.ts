import type { LatencySummary, PhaseResources } from './metrics';
import { goals, lat, n, ratios, renderCost, renderTable } from './report';
import type { BenchResults, CostBatchResult, ExchangePhaseResult } from './results';

const latency = (p50: number, p99: number): LatencySummary => ({
  count: 10,
  p50,
  p95: p99,
  p99,
  max: p99 + 1,
  mean: p50,
});

const resources: PhaseResources = {
  seconds: 20,
  cpuPercentOfOneCore: { 'agency-gateway': 80.5, 'bench client (this process)': 10 },
  machineBusyPercent: 90,
  peakRssMb: { 'agency-gateway': 180 },
  otherProcessesPercentOfOneCore: 1.5,
};

function phase(name: string, alertsPerSecond: number, p99: number): ExchangePhaseResult {
  return {
    name,
    offered: 'load',
    postingSeconds: 20,
    sent: 4000,
    accepted: 4000,
    errors: {},
    firstError: null,
    maxRequestsInFlight: 64,
    acceptedPerSecond: 200,
    deliveriesExpected: 12000,
    deliveriesVisible: 12000,
    alertsFullyDelivered: 4000,
    complete: true,
    duplicateEvents: 0,
    deliveredBeforeSenderRead202: 0,
    endToEndSeconds: 21,
    drainSecondsAfterLastPost: 0.4,
    alertsPerSecond,
    deliveriesPerSecond: alertsPerSecond * 3,
    pipelineDeliveriesPerSecondWhilePosting: 600,
    pipeline: { seconds: 22, deliveriesPerSecond: 570, alertsPerSecond: 190, backlogAtStart: 0 },
    drainedCompletely: true,
    incomplete: null,
    cpuMsPerAlertAboveIdle: { 'agency-gateway': 3.2, 'coordination-node': 1.3, 'bench client (this process)': 0.5 },
    latencyMs: { submit: latency(3, 9), delivery: latency(8, 30), total: latency(12, p99) },
    inboxRowsInDatabase: 12000,
    inboxRowsExpected: 12000,
    audit: {
      status: 'complete',
      appended: 30000,
      eventsOnTopic: 30000,
      entriesPerSecond: 1400,
      lagAfterLastDeliverySeconds: 0.2,
    },
    resources,
    diagnostics: null,
  };
}

function results(): BenchResults {
  return {
    startedAt: '2026-12-07T12:00:00.000Z',
    command: 'npm run bench',
    options: { rate: 200, concurrency: 64 } as BenchResults['options'],
    machine: {
      cores: 2,
      cpuModel: 'Test CPU',
      memoryGiB: 7.8,
      node: 'v20.20.2',
      kafka: '3.9.0',
      os: 'Linux',
      gitCommit: 'abc',
      gitDirty: false,
      loadAverageStart: [0.5, 0.4, 0.3],
      jestRunningAtStart: false,
      loadAverageEnd: [1.5, 1, 0.5],
      jestRunningAtEnd: false,
      postgres: 'PostgreSQL 16.4',
    },
    resultsFile: 'bench-results/x.json',
    baseline: {
      messageBytes: 1534,
      partitions: 6,
      acks: -1,
      idempotent: true,
      batched: { messagesPerSecond: 20000 } as never,
      single: { messagesPerSecond: 4000 } as never,
      latency: { rate: 200, seconds: 10, messages: 2000, latencyMs: latency(4, 10), machineBusyPercent: 30 },
    },
    endToEnd: {
      cost: { status: 'skipped (--cost-alerts 0)' },
      idleCpuPercentOfOneCore: null,
      agencies: 8,
      recipientsPerAlert: 'restricted scope, explicit recipients cycling 2, 3, 4 (average 3)',
      bodyBytes: 1500,
      fixed: phase('fixed-rate', 195, 45),
      saturation: phase('saturation', 260, 300),
      streamErrors: [],
    },
    audit: { status: 'skipped (--skip-audit)' },
    peakRssMb: { 'agency-gateway': 210, 'agency-gateway (restarted)': 260, 'audit-log': 120 },
  };
}

describe('n and lat', () => {
  it('groups digits en-US and prints – for a missing figure', () => {
    expect([n(1234567.5), n(null), n(undefined), n('x')]).toEqual(['1,234,567.5', '–', '–', 'x']);
  });

  it('prints p50 / p95 / p99 / max, or – without samples', () => {
    expect(lat(latency(1, 2000))).toBe('1 / 2,000 / 2,000 / 2,001');
    expect(lat({ count: 0, p50: null, p95: null, p99: null, max: null, mean: null })).toBe('–');
  });
});

describe('goals', () => {
  const list = goals(results());

  it('holds the saturation output against 0.07 of the batched raw Kafka rate', () => {
    expect(list[0]).toEqual({
      goal: '≥ 0.07 × raw batched kafkajs at saturation',
      measured: '0.013 (260 alerts/s over 20,000 msg/s)',
      met: false,
    });
    const fast = results();
    (fast.baseline as NonNullable<BenchResults['baseline']>).batched.messagesPerSecond = 3000;
    expect(goals(fast)[0].met).toBe(true);
    const noBaseline = results();
    delete noBaseline.baseline;
    expect(goals(noBaseline)[0]).toMatchObject({ measured: 'not run (--skip-baseline)', met: null });
  });

  it('counts hub CPU per alert without the load generator, against 1 ms', () => {
    expect(list[1]).toMatchObject({ measured: expect.stringMatching(/^4\.5 ms /), met: false });
    const cheap = results();
    (cheap.endToEnd as NonNullable<BenchResults['endToEnd']>).saturation.cpuMsPerAlertAboveIdle = {
      'agency-gateway': 0.6,
      'bench client (this process)': 5,
    };
    expect(goals(cheap)[1].met).toBe(true);
  });

  it('meets the p99 goal only below 50 ms and when the phase drained', () => {
    expect(list[2].met).toBe(true);
    const late = results();
    (late.endToEnd as NonNullable<BenchResults['endToEnd']>).fixed.drainedCompletely = false;
    expect(goals(late)[2].met).toBe(false);
  });

  it('judges light load only at 10 alerts/s or less', () => {
    expect(list[3]).toMatchObject({ measured: 'not run (--rate 200; run with --rate 10)', met: null });
    const light = results();
    light.options.rate = 10;
    expect(goals(light)[3]).toEqual({
      goal: 'light load is light: < 15 % busy at ≤ 10 alerts/s',
      measured: '90 % at 10 alerts/s',
      met: false,
    });
  });

  it('says why the audit goal was not measured', () => {
    expect(list.find((g) => g.goal.startsWith('audit verify'))).toMatchObject({
      measured: 'skipped (--skip-audit)',
      met: null,
    });
  });

  it('says the hit query goal was not run without the bulk section', () => {
    expect(list.find((g) => g.goal.startsWith('hit query'))).toMatchObject({ measured: 'not run', met: null });
  });

  it("takes each service's largest RSS, restarts included", () => {
    expect(list.find((g) => g.goal.startsWith('each service'))).toEqual({
      goal: 'each service < 250 MB RSS',
      measured: 'agency-gateway 260 MB, audit-log 120 MB',
      met: false,
    });
  });
});

describe('ratios', () => {
  it('divides the sustained rate by the raw Kafka rates, and the p99s', () => {
    expect(ratios(results())).toEqual({
      sustainedAlertsPerSecond: 260,
      alertsPerSecondOverBatchedBaseline: 0.013,
      alertsPerSecondOverSingleSendBaseline: 0.065,
      fixedRateP99OverBaselineP99: 4.5,
    });
  });

  it('is null without a baseline', () => {
    const r = results();
    delete r.baseline;
    expect(ratios(r)).toBeNull();
  });
});

describe('renderTable', () => {
  const r = results();
  r.goals = goals(r);
  r.ratios = ratios(r);
  const lines = renderTable(r).split('\n');

  it('prints both phases side by side', () => {
    expect(lines).toContain(`  ${'alerts per second, end to end'.padEnd(40)} ${'195'.padEnd(30)} 260`);
    expect(lines).toContain(
      `  ${'send → inbox ms p50/p95/p99/max'.padEnd(40)} ${'12 / 45 / 45 / 46 (busy 90 %)'.padEnd(30)} 12 / 300 / 300 / 301 (busy 90 %)`,
    );
  });

  it('sums the hub CPU per alert without the bench client', () => {
    expect(lines).toContain(`  ${'hub CPU ms per alert (above idle)'.padEnd(40)} ${'5'.padEnd(30)} 5`);
  });

  it('says which sections did not run, and ends with the ratio', () => {
    expect(lines).toContain('COST PER ALERT — skipped (--cost-alerts 0)');
    expect(lines).toContain('AUDIT LOG — skipped (--skip-audit)');
    expect(lines.filter(Boolean).pop()).toBe(
      'RATIO end to end / baseline: 260 alerts/s = 0.013 of batched raw Kafka msg/s, 0.065 of one-message-per-send raw Kafka msg/s; p99 send → inbox 4.5× the raw Kafka p99',
    );
  });
});

describe('renderCost', () => {
  const batch = (
    kind: CostBatchResult['kind'],
    knownAgencies: number,
    deliveriesPerAlert: number,
  ): CostBatchResult => ({
    kind,
    knownAgencies,
    routingCandidatesPerVersion: knownAgencies,
    alerts: 60,
    errors: {},
    firstError: null,
    complete: true,
    deliveriesPerAlert,
    kafkaMessages: 12.5,
    kafkaMessagesByTopic: { 'alerts.submitted.v1': 1 },
    auditEntries: 7,
    databaseTransactions: 9,
    services: {
      'agency-gateway': {
        sqlStatements: 20,
        commits: 4,
        produceCalls: 3,
        messagesProduced: 5,
        sqlStatementsAboveIdle: 18,
        commitsAboveIdle: 3.5,
      },
    },
    auditEntriesByType: { 'alert.submitted': 1 },
  });
  const lines = renderCost({
    note: '',
    alertsPerBatch: 60,
    rate: 30,
    idle: { 'agency-gateway': { sqlStatementsPerSecond: 1.5, commitsPerSecond: 0.5 } },
    seconds: 42,
    batches: [
      batch('regional', 50, 49),
      batch('restricted', 50, 3),
      batch('regional', 8, 7),
      batch('restricted', 8, 3),
    ],
  });
  const row = (label: string, values: string[]) => `  ${label.padEnd(52)} ${values.map((v) => v.padEnd(16)).join(' ')}`;

  it('orders the columns restricted then regional, fewer known agencies first', () => {
    expect(lines).toContain(row('', ['restricted, 8', 'restricted, 50', 'regional, 8', 'regional, 50']));
    expect(lines).toContain(row('deliveries (inbox rows) per alert', ['3', '3', '7', '49']));
  });

  it('prints statements and COMMITs as all / above idle, and the idle rates', () => {
    expect(lines).toContain(row('SQL statements: agency-gateway (all / above idle)', Array(4).fill('20 / 18')));
    expect(lines).toContain(row('COMMITs: agency-gateway (all / above idle)', Array(4).fill('4 / 3.5')));
    expect(lines).toContain('  idle, per second: agency-gateway 1.5 statements, 0.5 COMMITs');
  });

  it('says why there is no table', () => {
    expect(renderCost({ status: 'n/a (audit-log not built)' })).toEqual([
      '',
      'COST PER ALERT — n/a (audit-log not built)',
    ]);
  });
});
