/**
 * The audit log written THROUGH THE SERVICES (`--audit-via-services`): the real audit-log service, on a fresh
 * database, consumes its Kafka audit topics and appends what it finds there, as in production. Running the whole
 * exchange until the log holds a million entries would take hours at today's ~130 alerts/s, so the bench produces
 * the facts the services produce — in the current leaf formats, built with the services' own functions
 * (coordination-node's routingFact, libs/kafka's auditMessage, libs/merkle's contentCommitment; the gateway's
 * submission, delivery and inbox-page facts are private to its services and rebuilt here field by field) — in bulk
 * onto audit.events.<service>.v1, each service's topic with that service's own SASL principal (only it may write
 * there). Everything from the topic on is the service's: validation, dedup, the Merkle tree, the seals, the
 * entry_subjects index.
 *
 * Then, with the statistics as autovacuum left them: `main.js verify` (the auditor CLI, over HTTP), the export
 * (GET /v1/audit/export?format=leaves) and the plan of an export page (EXPLAIN: is there a Sort?); `ANALYZE` on
 * every audit table; the same three again. The section's steps: the service on a fresh log, the append, the
 * read-back before and after ANALYZE, the report's rows.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { Client } from 'pg';
import { HubService } from '@hub/contracts/topics';
import type { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { kafkaClientConfig, startService, waitHealthy } from '@hub/testing/local-hub';
import { factsOf, factState, type ServiceFact } from './audit-facts';
import type { AuditSectionOptions } from './audit-scale';
import { auditLogMain, prepareFreshAuditLog, runProcess, verifyOutcome } from './fresh-audit-log';
import { hubSource, type HubSource } from './hub-source';
import { createClient } from './http';
import { busyMeter, round1 } from './metrics';
import type { AuditResult, VerifyOutcome } from './results';

const ALERTS_PER_CHUNK = 2000;
/** Produced but not yet appended: enough to keep the audit-log's consumer busy, bounded so the budget check bites. */
const MAX_AHEAD = 60000;
const EXPORT_CHUNK = 10000; // apps/audit-log/src/auditor/audit-export.ts (not exported there)

type FactService = ServiceFact['service'];
const FACT_SERVICES: readonly FactService[] = [HubService.AgencyGateway, HubService.CoordinationNode];

/** One producer per service principal, configured like the services' KafkaProducer (acks -1, no compression). */
async function serviceProducers(brokers: string[]): Promise<Record<FactService, Producer>> {
  const producers: Partial<Record<FactService, Producer>> = {};
  for (const service of FACT_SERVICES) {
    const kafka = new Kafka({
      clientId: `bench-as-${service}`,
      ...kafkaClientConfig(brokers, service),
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({ idempotent: false, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    producers[service] = producer;
  }
  return producers as Record<FactService, Producer>;
}

interface ExportTiming {
  status: number | undefined;
  lines: number;
  bytes: number;
  seconds: number;
}

/** Streams GET /v1/audit/export?format=leaves to nowhere; returns lines, bytes, seconds. */
function timeExport(baseUrl: string, key: string): Promise<ExportTiming> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.get(
      {
        host: base.hostname,
        port: base.port,
        path: '/v1/audit/export?format=leaves',
        headers: { authorization: `Bearer ${key}` },
      },
      (res) => {
        let bytes = 0;
        let lines = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode, lines, bytes, seconds: (performance.now() - started) / 1000 }),
        );
        res.on('error', reject);
      },
    );
    request.on('error', reject);
  });
}

/** A node of EXPLAIN (FORMAT JSON). */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Recheck Cond'?: string;
  Filter?: string;
  'Plan Rows': number;
  Plans?: PlanNode[];
}

export interface PagePlan {
  hasSort: boolean;
  hasSeqScan: boolean;
  nodes: string[];
}

/** Whether a plan sorts or scans a whole table, and its nodes in one line each (with their conditions). */
export function describePlan(plan: PlanNode): PagePlan {
  const all: PlanNode[] = [];
  const walk = (node: PlanNode) => {
    all.push(node);
    for (const child of node.Plans || []) walk(child);
  };
  walk(plan);
  return {
    hasSort: all.some((node) => node['Node Type'] === 'Sort' || node['Node Type'] === 'Incremental Sort'),
    hasSeqScan: all.some((node) => node['Node Type'] === 'Seq Scan'),
    // With its conditions: a Sort above a scan bounded by the page's seq range sorts one page, not the rest of the log.
    nodes: all.map((node) => {
      const cond = node['Index Cond'] || node['Recheck Cond'] || node.Filter;
      return `${node['Node Type']}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}${cond ? ` [${cond}]` : ''} (est. ${node['Plan Rows']} rows)`;
    }),
  };
}

type EntryPageSql = HubSource['reader']['entryPageSql'];

/** The plan of one export page in the middle of the log (the SQL the service runs: entryPageSql). */
async function exportPagePlan(pg: Client, entryPageSql: EntryPageSql, treeSize: number): Promise<PagePlan> {
  const { sql, params } = entryPageSql({
    filter: {},
    afterSeq: Math.floor(treeSize / 2),
    beforeSeq: treeSize,
    limit: EXPORT_CHUNK,
  });
  const { rows } = await pg.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  return describePlan(rows[0]['QUERY PLAN'][0].Plan);
}

interface TableStatistics {
  table: string;
  estimatedRows: number;
  liveRows: number;
  modifiedSinceAnalyze: number;
  lastAutoanalyze: Date | null;
  lastAnalyze: Date | null;
}

/** What the planner knows about the audit tables right now. */
async function statistics(pg: Client): Promise<TableStatistics[]> {
  const { rows } = await pg.query<{
    table: string;
    estimated_rows: string;
    live_rows: string;
    modified_since_analyze: string;
    last_autoanalyze: Date | null;
    last_analyze: Date | null;
  }>(
    `SELECT s.relname AS table, c.reltuples::bigint AS estimated_rows, s.n_live_tup::bigint AS live_rows, s.n_mod_since_analyze::bigint AS modified_since_analyze,
            s.last_autoanalyze, s.last_analyze, s.autoanalyze_count::int AS autoanalyzes
     FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.schemaname = 'audit' ORDER BY s.relname`,
  );
  return rows.map((r) => ({
    table: r.table,
    estimatedRows: Number(r.estimated_rows),
    liveRows: Number(r.live_rows),
    modifiedSinceAnalyze: Number(r.modified_since_analyze),
    lastAutoanalyze: r.last_autoanalyze,
    lastAnalyze: r.last_analyze,
  }));
}

interface ReadBackContext {
  root: string;
  auditUrl: string;
  auditorKey: string;
  publicKeyFile: string;
  pg: Client;
  entryPageSql: EntryPageSql;
  treeSize: number;
  log: (line: string) => void;
}

interface ReadBack {
  statistics: TableStatistics[];
  exportPagePlan: PagePlan;
  verify: VerifyOutcome;
  export: {
    status: number | undefined;
    lines: number;
    megabytes: number;
    seconds: number;
    entriesPerSecond: number;
    machineBusyPercent: number;
  };
}

/** verify (CLI over HTTP), export, and the export page's plan, as the statistics are now. */
async function readBack({
  root,
  auditUrl,
  auditorKey,
  publicKeyFile,
  pg,
  entryPageSql,
  treeSize,
  label,
  log,
}: ReadBackContext & { label: string }): Promise<ReadBack> {
  const stats = await statistics(pg);
  const plan = await exportPagePlan(pg, entryPageSql, treeSize);
  const verifyBusy = busyMeter();
  const started = performance.now();
  const cli = await runProcess(
    process.execPath,
    [auditLogMain(root), 'verify', '--url', auditUrl, '--key', auditorKey, '--public-key', publicKeyFile],
    { PATH: process.env.PATH },
  );
  const verifySeconds = (performance.now() - started) / 1000;
  const verify = verifyOutcome(cli, verifySeconds, verifyBusy);
  const exportBusy = busyMeter();
  const exported = await timeExport(auditUrl, auditorKey);
  const exportResult = {
    status: exported.status,
    lines: exported.lines,
    megabytes: round1(exported.bytes / 1024 / 1024),
    seconds: round1(exported.seconds),
    entriesPerSecond: Math.round(exported.lines / exported.seconds),
    machineBusyPercent: exportBusy.stop(),
  };
  const entries = stats.find((s) => s.table === 'entries');
  log(
    `audit (${label}): verify ${verify.ok ? 'VERIFIED' : 'FAILED'} ${verify.checkedEntries.toLocaleString('en-US')} entries in ${verify.seconds} s ` +
      `(${verify.entriesPerSecond.toLocaleString('en-US')}/s); export ${exportResult.lines.toLocaleString('en-US')} lines in ${exportResult.seconds} s; ` +
      `plan ${plan.hasSort ? 'HAS a Sort' : 'no Sort'}; entries estimated ${entries ? entries.estimatedRows : '?'} rows`,
  );
  return { statistics: stats, exportPagePlan: plan, verify, export: exportResult };
}

export interface AuditViaServicesOptions extends AuditSectionOptions {
  brokers: string[];
  appendBudgetSeconds?: number;
}

/** The append: facts produced chunk by chunk, never more than MAX_AHEAD ahead of the log, within the budget. */
interface AppendResult {
  target: number;
  produced: number;
  appended: number;
  stoppedEarlyAtBudget: boolean;
  budgetSeconds: number;
  seconds: number;
  entriesPerSecond: number;
  machineBusyPercent: number;
  alertsSimulated: number;
  entriesByType: Record<string, number>;
  tableSizes: { entries: string; nodes: string; subjects: string };
}

/**
 * An auditor key and a fresh audit database; coordination-node stopped (its live feed also reads every audit topic,
 * so that the million facts are the audit-log's work alone, as in the synthetic mode); the audit-log started on it.
 */
async function serviceOnFreshLog(options: AuditViaServicesOptions, gateway: ReturnType<typeof createClient>) {
  const { hub, cleanup, sampler, root, log } = options;
  const { auditorKey } = await prepareFreshAuditLog({ hub, cleanup, sampler, gateway, root });
  const node = hub.handles.find((h) => h.app === 'coordination-node');
  sampler?.retire('coordination-node');
  await node?.stop();
  log('audit: coordination-node stopped (its live feed would consume the bulk facts too)');

  const handle = startService('audit-log', { ...hub.env, DATABASE_URL: hub.auditDatabaseUrl }, hub.logDir);
  cleanup.add('service audit-log (through the services)', () => handle.stop());
  await waitHealthy(handle);
  sampler?.add('audit-log (appending, then serving)', handle.child.pid as number);
  log(`audit: audit-log started on the fresh ${hub.auditDatabaseName}; producing facts to its topics`);
  return auditorKey;
}

/** Produces facts to the services' audit topics until `target` are appended or the budget runs out. */
async function append(
  options: AuditViaServicesOptions,
  source: HubSource,
  producers: Record<FactService, Producer>,
  pg: Client,
): Promise<Omit<AppendResult, 'entriesByType' | 'tableSizes'> & { treeSize: number }> {
  const { log, entries: target, appendBudgetSeconds = 600 } = options;
  const count = async () =>
    Number(
      (await pg.query<{ n: string }>('SELECT coalesce(max(seq) + 1, 0)::bigint AS n FROM audit.entries')).rows[0].n,
    );
  const base = await count(); // the service's own facts at start (none expected)
  const state = factState(source);
  const started = performance.now();
  const deadline = Date.now() + appendBudgetSeconds * 1000;
  const busy = busyMeter();
  let produced = 0;
  let alerts = 0;
  let appended = 0;
  let stoppedEarly = false;
  let lastLog = Date.now();
  while (produced < target) {
    if (Date.now() > deadline) {
      stoppedEarly = true;
      break;
    }
    const facts = factsOf(source, alerts, ALERTS_PER_CHUNK, state);
    alerts += ALERTS_PER_CHUNK;
    const take = facts.slice(0, target - produced);
    const byService = new Map<FactService, OutgoingMessage[]>();
    for (const { service, fact } of take) {
      const messages = byService.get(service) || [];
      messages.push(source.publisher.auditMessage(service, fact));
      byService.set(service, messages);
    }
    for (const [service, messages] of byService) {
      for (let i = 0; i < messages.length; i += 1000) {
        const slice = messages.slice(i, i + 1000);
        await producers[service].send({
          topic: slice[0].topic,
          acks: -1,
          messages: slice.map((m) => ({ key: m.key, value: JSON.stringify(m.value) })),
        });
      }
    }
    produced += take.length;
    while (produced - appended > MAX_AHEAD && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      appended = (await count()) - base;
    }
    if (Date.now() - lastLog > 10000) {
      lastLog = Date.now();
      appended = (await count()) - base;
      log(
        `audit: ${produced.toLocaleString('en-US')} facts produced, ${appended.toLocaleString('en-US')} appended (${Math.round(appended / ((performance.now() - started) / 1000)).toLocaleString('en-US')}/s)`,
      );
    }
  }
  // Whatever was produced is appended before anything is read back (the last chunk, or the budget's remainder).
  let lastChange = Date.now();
  while (appended < produced && Date.now() - lastChange < 60000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = (await count()) - base;
    if (now !== appended) lastChange = Date.now();
    appended = now;
  }
  const appendSeconds = (performance.now() - started) / 1000;
  const appendBusy = busy.stop();
  const treeSize = await count();
  const appendRate = Math.round(appended / appendSeconds);
  log(
    `audit: ${appended.toLocaleString('en-US')} of ${produced.toLocaleString('en-US')} facts appended by the service in ${round1(appendSeconds)} s = ` +
      `${appendRate.toLocaleString('en-US')} entries/s (machine busy ${appendBusy} %)` +
      (stoppedEarly
        ? ` — STOPPED at the ${appendBudgetSeconds} s budget before ${target.toLocaleString('en-US')}`
        : ''),
  );
  return {
    target,
    produced,
    appended,
    stoppedEarlyAtBudget: stoppedEarly,
    budgetSeconds: appendBudgetSeconds,
    seconds: round1(appendSeconds),
    entriesPerSecond: appendRate,
    machineBusyPercent: appendBusy,
    alertsSimulated: alerts,
    treeSize,
  };
}

/** The entry mix and the audit tables' sizes. */
async function logShape(pg: Client): Promise<Pick<AppendResult, 'entriesByType' | 'tableSizes'>> {
  const mix = Object.fromEntries(
    (
      await pg.query<{ type: string; n: number }>(
        'SELECT type, count(*)::int AS n FROM audit.entries GROUP BY type ORDER BY 2 DESC',
      )
    ).rows.map((r) => [r.type, r.n]),
  );
  const sizes = (
    await pg.query<AppendResult['tableSizes']>(
      `SELECT pg_size_pretty(pg_total_relation_size('audit.entries')) AS entries, pg_size_pretty(pg_total_relation_size('audit.merkle_nodes')) AS nodes,
                pg_size_pretty(pg_total_relation_size('audit.entry_subjects')) AS subjects`,
    )
  ).rows[0];
  return { entriesByType: mix, tableSizes: sizes };
}

/** ANALYZE of every table of the audit schema; how many and how long. */
async function analyzeAuditSchema(
  pg: Client,
  log: (line: string) => void,
): Promise<{ tables: number; seconds: number }> {
  const analyzeStarted = performance.now();
  const tables = (
    await pg.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'audit' ORDER BY tablename`,
    )
  ).rows.map((r) => r.tablename);
  for (const table of tables) await pg.query(`ANALYZE audit."${table}"`);
  const seconds = round1((performance.now() - analyzeStarted) / 1000);
  log(`audit: ANALYZE of ${tables.length} audit tables in ${seconds} s`);
  return { tables: tables.length, seconds };
}

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toLocaleString('en-US'));

function statsLine(r: ReadBack): string {
  const e = r.statistics.find((s) => s.table === 'entries');
  return e
    ? `entries: planner estimate ${e.estimatedRows < 0 ? 'none (never analysed)' : `${fmt(e.estimatedRows)} rows`}, ${fmt(e.modifiedSinceAnalyze)} changed since analyze, last autoanalyze ${e.lastAutoanalyze ? new Date(e.lastAutoanalyze).toISOString().slice(11, 19) : 'never'}`
    : '–';
}

function readRows(label: string, r: ReadBack): [string, string][] {
  return [
    [`${label}: statistics`, statsLine(r)],
    [
      `${label}: verify CLI over HTTP, entries/s`,
      `${fmt(r.verify.entriesPerSecond)} (${fmt(r.verify.checkedEntries)} entries in ${r.verify.seconds} s, ${r.verify.ok ? 'VERIFIED' : 'FAILED'}; machine busy ${r.verify.machineBusyPercent} %)`,
    ],
    [
      `${label}: export ?format=leaves, entries/s`,
      `${fmt(r.export.entriesPerSecond)} (${fmt(r.export.lines)} lines, ${r.export.megabytes} MB in ${r.export.seconds} s, HTTP ${r.export.status}; machine busy ${r.export.machineBusyPercent} %)`,
    ],
    [
      `${label}: plan of an export page`,
      `${r.exportPagePlan.hasSort ? 'HAS a Sort' : 'no Sort'}${r.exportPagePlan.hasSeqScan ? ', HAS a Seq Scan' : ''}: ${r.exportPagePlan.nodes.join(' → ')}`,
    ],
  ];
}

/** The report's lines for the section. */
export function auditViaServicesRows(
  appended: AppendResult,
  before: ReadBack,
  analyze: { tables: number; seconds: number },
  after: ReadBack,
): [string, string][] {
  const { entriesByType: mix, tableSizes: sizes } = appended;
  return [
    [
      'append by the audit-log service, entries/s',
      `${fmt(appended.entriesPerSecond)} (${fmt(appended.appended)} entries in ${appended.seconds} s; machine busy ${appended.machineBusyPercent} %)` +
        (appended.stoppedEarlyAtBudget
          ? ` — STOPPED at the ${appended.budgetSeconds} s budget, before ${fmt(appended.target)}`
          : ''),
    ],
    [
      'entry mix',
      Object.entries(mix)
        .map(([t, v]) => `${t} ${fmt(v)}`)
        .join(', '),
    ],
    ['table sizes', `entries ${sizes.entries}, merkle_nodes ${sizes.nodes}, entry_subjects ${sizes.subjects}`],
    ...readRows('before ANALYZE', before),
    ['ANALYZE of the audit schema', `${analyze.seconds} s (${analyze.tables} tables)`],
    ...readRows('after ANALYZE', after),
  ];
}

/** The section: the audit-log service appends `entries` facts from its topics; verify and export, before and after ANALYZE. */
export async function runAuditViaServices(options: AuditViaServicesOptions): Promise<AuditResult> {
  const { hub, root, brokers, log } = options;
  const source = hubSource();
  const gateway = createClient(hub.urls['agency-gateway']);
  let producers: Record<FactService, Producer> | null = null;
  let pg: Client | null = null;
  try {
    const auditorKey = await serviceOnFreshLog(options, gateway);
    const client = new Client({ connectionString: hub.auditDatabaseUrl, application_name: 'bench-audit-observer' });
    pg = client;
    await client.connect();
    const started = await serviceProducers(brokers);
    producers = started;
    const { treeSize, ...appendFigures } = await append(options, source, started, client);
    const appended: AppendResult = { ...appendFigures, ...(await logShape(client)) };
    await Promise.all(Object.values(started).map((p) => p.disconnect().catch(() => undefined)));
    producers = null;

    const context: ReadBackContext = {
      root,
      auditUrl: hub.urls['audit-log'],
      auditorKey,
      publicKeyFile: hub.signingKey.publicFile,
      pg: client,
      entryPageSql: source.reader.entryPageSql,
      treeSize,
      log,
    };
    const before = await readBack({ ...context, label: 'statistics as autovacuum left them' });
    const analyze = await analyzeAuditSchema(client, log);
    const after = await readBack({ ...context, label: 'after ANALYZE' });
    return {
      status: 'measured',
      mode: 'through the services',
      note:
        "written THROUGH THE SERVICES: facts in the current leaf formats produced in bulk to audit.events.<service>.v1 with each service's own " +
        'Kafka principal, appended by the real audit-log service (consumer, validation, dedup, Merkle tree, seals, subject index)',
      entries: treeSize,
      append: appended,
      beforeAnalyze: before,
      analyzeSeconds: analyze.seconds,
      afterAnalyze: after,
      verify: { how: 'verify CLI over HTTP (after ANALYZE)', ...after.verify },
      rows: auditViaServicesRows(appended, before, analyze, after),
    };
  } finally {
    if (producers) await Promise.all(Object.values(producers).map((p) => p.disconnect().catch(() => undefined)));
    if (pg) await pg.end().catch(() => undefined);
    gateway.close();
  }
}
