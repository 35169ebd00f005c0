/**
 * npm run bench [-- --agencies 8 --rate 200 --duration 20 --concurrency 64 --skip-audit --profile <app>[,<app>]
 *                   --wait-quiet <s> --keep]
 *
 * In one run, on this machine, on loopback only:
 *   1. baseline: raw kafkajs produce → consume of the same alert payloads on the bench broker;
 *   2. end to end: a dedicated broker (29092), a fresh database hub_bench and the three services (23000-23002;
 *      all moved by --port-base),
 *      agencies posting over HTTP at a fixed open-loop rate, then at saturation (closed loop), until every
 *      delivery is on its recipient's inbox stream and every audit event is in the audit log;
 *      then the cost per alert (restricted and regional batches with 8, then 50 known agencies);
 *   3. the audit log at 1 million (synthetic) entries: verify throughput, inclusion-proof and trail latency — or,
 *      with --audit-via-services, a log appended by the audit-log service from its Kafka topics, verified and
 *      exported before and after ANALYZE;
 *   4. the ratio end to end / baseline, printed last.
 * Prints a table and writes bench-results/<timestamp>.json. Stops everything it started, also on Ctrl-C.
 *
 * The run is four named steps: its options (parseBenchOptions), its environment (startEnvironment), its phases
 * (runPhases) and its report (writeReport).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { APPS, AppName, ROOT } from '@hub/testing/local-hub';
import { auditProbe } from './bench/audit';
import { runAuditScale } from './bench/audit-scale';
import { runAuditViaServices } from './bench/audit-services';
import { runBaseline } from './bench/baseline';
import {
  Companion,
  COMPARISONS,
  Comparison,
  comparisonVariants,
  renderComparison,
  summariseComparison,
  plaintextCheck,
  Variant,
  VariantRun,
  variantRun,
} from './bench/compare';
import { Diagnostics, StageObserver } from './bench/diagnostics';
import { brokerFacts, checkPorts, databaseNameFor, postgresSettings, startBroker, startHub } from './bench/environment';
import { runExchange } from './bench/exchange';
import { loadAverage, ResourceSampler } from './bench/metrics';
import { summarizeProfile } from './bench/profile-summary';
import type { ProfileCounts } from './bench/preload/profile-preload';
import { goals, ratios, renderTable } from './bench/report';
import type { BenchResults, MachineFacts, ProfileResult } from './bench/results';
import { cleanupRegistry, CleanupRegistry } from './cleanup';

const RESULTS_DIR = path.join(ROOT, 'bench-results');
const RUN_LIMIT_MS = 14 * 60 * 1000; // a safety net: a default run takes 9-12 minutes on 2 cores
/** Alerts per second in the cost batches: well below capacity, so a batch drains in seconds. */
const COST_RATE = 30;

function log(line: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ── options ──────────────────────────────────────────────────────────────────────────────────────────────────────

export interface BenchOptions {
  agencies: number;
  rate: number;
  duration: number;
  concurrency: number;
  warmup: number;
  skipAudit: boolean;
  skipBaseline: boolean;
  skipExchange: boolean;
  auditEntries: number;
  auditViaServices: boolean;
  auditAppendBudget: number;
  costAlerts: number;
  profile: AppName[];
  waitQuiet: number;
  keep: boolean;
  portBase: number;
  brokers: number;
  /** `--compare tls|observability`: the two variants instead of a normal run (compare.ts). */
  compare: Comparison | null;
  compareRounds: number;
  /** Issue 27: requests of 1,000 NDJSON lines to POST /v1/alerts/batch, then a 10,000-identifier POST /v1/hits. */
  bulkBatches: number;
}

type NumericOption =
  | 'agencies'
  | 'rate'
  | 'duration'
  | 'concurrency'
  | 'warmup'
  | 'auditEntries'
  | 'costAlerts'
  | 'auditAppendBudget'
  | 'waitQuiet'
  | 'portBase'
  | 'brokers'
  | 'compareRounds'
  | 'bulkBatches';

const NUMERIC: Readonly<Record<string, NumericOption>> = {
  '--agencies': 'agencies',
  '--rate': 'rate',
  '--duration': 'duration',
  '--concurrency': 'concurrency',
  '--warmup': 'warmup',
  '--audit-entries': 'auditEntries',
  '--cost-alerts': 'costAlerts',
  '--audit-append-budget': 'auditAppendBudget',
  '--wait-quiet': 'waitQuiet',
  '--port-base': 'portBase',
  '--brokers': 'brokers',
  '--compare-rounds': 'compareRounds',
  '--bulk-batches': 'bulkBatches',
};

const USAGE =
  'npm run bench -- [--agencies 8] [--rate 200] [--duration 20] [--concurrency 64] [--warmup 5] [--skip-audit]\n' +
  '                 [--skip-baseline] [--skip-exchange] [--audit-entries 1000000] [--profile agency-gateway,coordination-node,audit-log]\n' +
  '                 [--wait-quiet <seconds to wait for jest/tsc/nest build to finish and the load to drop>] [--keep]\n' +
  '                 [--port-base 23000 (services on base..base+2, broker on base+6092/6093, database hub_bench_<base>)]\n' +
  '                 [--brokers 1 (or 3: a 3-node KRaft cluster, replication factor 3, min.insync.replicas 2)]\n' +
  '                 [--cost-alerts 60 (per batch of the cost table; 0 skips it)]\n' +
  '                 [--bulk-batches 3 (POST /v1/alerts/batch requests of 1,000 lines, then POST /v1/hits; 0 skips)]\n' +
  '                 [--audit-via-services (the log written by the audit-log service from its Kafka topics) [--audit-append-budget 600 (s)]]\n' +
  '                 [--compare tls|observability [--compare-rounds 2] (what TLS, or metrics + tracing, cost: both variants, alternating)]\n';

/** The options of a run; undefined after printing the usage (--help). */
export function parseBenchOptions(argv: string[]): BenchOptions | undefined {
  const options: BenchOptions = {
    agencies: 8,
    rate: 200,
    duration: 20,
    concurrency: 64,
    warmup: 5,
    skipAudit: false,
    skipBaseline: false,
    skipExchange: false,
    auditEntries: 1000000,
    auditViaServices: false,
    auditAppendBudget: 600,
    costAlerts: 60,
    profile: [],
    waitQuiet: 0,
    keep: false,
    portBase: 23000,
    brokers: 1,
    compare: null,
    compareRounds: 2,
    bulkBatches: 3,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => {
      const v = inline !== undefined ? inline : argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value (see --help)`);
      return v;
    };
    const numeric = NUMERIC[flag];
    if (numeric) {
      const v = Number(value());
      if (!Number.isFinite(v) || v < 0) throw new Error(`${flag} needs a non-negative number`);
      options[numeric] = v;
    } else if (flag === '--skip-audit') options.skipAudit = true;
    else if (flag === '--skip-baseline') options.skipBaseline = true;
    else if (flag === '--skip-exchange') options.skipExchange = true;
    else if (flag === '--audit-via-services') options.auditViaServices = true;
    else if (flag === '--keep') options.keep = true;
    else if (flag === '--profile') options.profile = value().split(',').filter(Boolean) as AppName[];
    else if (flag === '--compare') {
      const comparison = value();
      if (!COMPARISONS.includes(comparison as Comparison))
        throw new Error(`--compare is one of ${COMPARISONS.join(', ')}, not "${comparison}"`);
      options.compare = comparison as Comparison;
    } else if (flag === '--help' || flag === '-h') {
      process.stdout.write(USAGE);
      return undefined;
    } else throw new Error(`unknown option ${argv[i]} (see --help)`);
  }
  if (options.brokers !== 1 && options.brokers !== 3) throw new Error('--brokers is 1 or 3');
  if (options.compare && options.brokers !== 1)
    throw new Error('--compare runs on the single bench broker (--brokers 1)');
  if (options.compare && options.compareRounds < 1) throw new Error('--compare-rounds must be at least 1');
  if (options.agencies < 2) throw new Error('--agencies must be at least 2 (every alert needs recipients)');
  if (options.rate <= 0 || options.duration <= 0 || options.concurrency < 1)
    throw new Error('--rate, --duration and --concurrency must be positive');
  const unknownProfile = options.profile.filter((app) => !APPS.includes(app));
  if (unknownProfile.length) throw new Error(`--profile: unknown app ${unknownProfile.join(', ')}`);
  return options;
}

// ── the machine ──────────────────────────────────────────────────────────────────────────────────────────────────

const running = (pattern: string) =>
  spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).length > 0;

function jestRunning(): boolean {
  return running('jest');
}

/** Other people's builds and tests on this machine: jest, the TypeScript compiler, Nest builds. */
function othersBusy(): boolean {
  return running('jest|tsc -p|nest build') || os.loadavg()[0] > os.cpus().length;
}

function machineFacts(): Omit<MachineFacts, 'loadAverageStart' | 'jestRunningAtStart'> {
  const git = (args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  let kafka = 'unknown';
  try {
    const jar = fs
      .readdirSync(path.join(ROOT, '.hub', 'kafka', 'libs'))
      .find((f) => /^kafka_2\.13-[\d.]+\.jar$/.test(f));
    if (jar) kafka = jar.replace(/^kafka_2\.13-|\.jar$/g, '');
  } catch {
    /* jars not fetched yet */
  }
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model || 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kafka,
    os: `${os.type()} ${os.release()}`,
    gitCommit: git(['rev-parse', '--short=12', 'HEAD']) || 'unknown',
    gitDirty: git(['status', '--porcelain']).length > 0,
  };
}

/** Waits (up to `seconds`) until no jest, tsc or nest build runs and the 1-minute load is below the core count. */
async function waitQuiet(seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let waited = false;
  while (othersBusy() && Date.now() < deadline) {
    if (!waited)
      log(
        `the machine is busy (jest/tsc/nest build running or load ${os.loadavg()[0].toFixed(1)}); waiting up to ${seconds} s`,
      );
    waited = true;
    await sleep(5000);
  }
  if (waited)
    log(
      othersBusy()
        ? `still busy (load ${os.loadavg()[0].toFixed(1)}): measuring anyway, numbers will be noisy`
        : 'quiet now',
    );
}

// ── environment ──────────────────────────────────────────────────────────────────────────────────────────────────

/** What the phases measure with: the broker, the hub, the observers. */
interface BenchEnvironment {
  kafka: Awaited<ReturnType<typeof startBroker>>;
  hub: Awaited<ReturnType<typeof startHub>>;
  pg: Pool;
  audit: Awaited<ReturnType<typeof auditProbe>>;
  sampler: ResourceSampler;
  diagnostics: Diagnostics;
  stages: StageObserver;
  profileDir: string | null;
}

/** The broker, the hub and the observers (resource sampler, diagnostics, stage observer), each registered for cleanup. */
async function startEnvironment(
  options: BenchOptions,
  stamp: string,
  results: BenchResults,
  cleanup: CleanupRegistry,
  onSampler: (sampler: BenchEnvironment['sampler']) => void,
  variant: { plaintextListener: boolean; serviceEnv: (plaintext?: string[]) => Record<string, string> } | null = null,
): Promise<BenchEnvironment> {
  await checkPorts(options.portBase);
  const kafka = await startBroker({
    cleanup,
    portBase: options.portBase,
    brokers: options.brokers,
    plaintext: variant?.plaintextListener ?? false,
  });
  const serviceEnv = variant ? variant.serviceEnv(kafka.plaintextBrokers) : null;

  if (!options.skipBaseline) {
    // Before the hub starts, so that the raw figures are taken on an idle broker.
    results.baseline = await runBaseline({
      brokers: kafka.brokers,
      // The plaintext variant of `--compare tls`: the raw kafkajs figures without TLS too.
      plaintextBrokers: serviceEnv?.BENCH_KAFKA_PLAINTEXT_BROKERS?.split(','),
      seconds: Math.min(10, options.duration),
      rate: options.rate,
      log,
    });
  } else results.baselineStatus = 'skipped (--skip-baseline)';

  const profileDir = options.profile.length ? path.join(RESULTS_DIR, 'profiles', stamp) : null;
  if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
  const hub = await startHub({
    cleanup,
    log,
    kafka,
    portBase: options.portBase,
    profileApps: options.profile,
    profileDir,
    serviceEnv,
  });
  // A small pool: the samplers, the audit probe and the drain checks query concurrently.
  const pg = new Pool({ connectionString: hub.databaseUrl, application_name: 'bench-observer', max: 3 });
  cleanup.add('observer connections', () => pg.end());
  const version = (await pg.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
  results.machine.postgres = `PostgreSQL ${version.split(' ')[0]}`;
  results.machine.postgresSettings = await postgresSettings(pg);
  results.machine.kafkaBroker = await brokerFacts(kafka.brokers).catch((error: Error) => ({ error: error.message }));
  log(
    `PostgreSQL ${JSON.stringify(results.machine.postgresSettings)}; Kafka ${JSON.stringify(results.machine.kafkaBroker)}`,
  );

  const audit = await auditProbe({ pg, brokers: kafka.brokers });
  if (audit.available) cleanup.add('audit probe', () => audit.close());
  else log(`audit log: ${audit.reason} → audit figures are "n/a (audit-log not built)"`);

  const sampler = new ResourceSampler(processIds(kafka, hub), { groups: backendGroups(pg, hub.databaseName) });
  sampler.start();
  onSampler(sampler);
  const diagnostics = new Diagnostics({
    brokers: kafka.brokers,
    pg,
    database: hub.databaseName,
    counters: hub.counters,
  });
  await diagnostics.start();
  cleanup.add('diagnostics', () => diagnostics.stop());
  const stages = new StageObserver({ brokers: kafka.brokers });
  if (!options.skipExchange) {
    await stages.start();
    cleanup.add('stage observer', () => stages.stop());
  }
  return { kafka, hub, pg, audit, sampler, diagnostics, stages, profileDir };
}

/** The processes whose CPU and memory the sampler reads: the services and the broker(s). */
function processIds(kafka: BenchEnvironment['kafka'], hub: BenchEnvironment['hub']): Record<string, number> {
  const pids: Record<string, number> = Object.fromEntries(hub.handles.map((h) => [h.app, h.child.pid as number]));
  kafka.pids.forEach((pid: number, i: number) => {
    pids[kafka.pids.length === 1 ? 'kafka broker (bench)' : `kafka broker ${i + 1} of ${kafka.pids.length} (bench)`] =
      pid;
  });
  return pids;
}

/** Each service's PostgreSQL backends (by application_name), looked up at most every 400 ms. */
function backendGroups(pg: Pool, databaseName: string): Record<string, () => Promise<number[]>> {
  let backends: { at: number; rows: { pid: number; application_name: string }[] } = { at: 0, rows: [] };
  const backendPids = async (app: AppName) => {
    if (Date.now() - backends.at > 400) {
      const { rows } = await pg.query(
        `SELECT pid, application_name FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [databaseName],
      );
      backends = { at: Date.now(), rows };
    }
    return backends.rows.filter((r) => r.application_name.startsWith(app)).map((r) => r.pid);
  };
  return Object.fromEntries(APPS.map((app) => [`postgres backends of ${app}`, () => backendPids(app)]));
}

// ── phases ───────────────────────────────────────────────────────────────────────────────────────────────────────

/** End to end (open loop, saturation, cost), the profiles, then the audit log at scale. */
async function runPhases(
  options: BenchOptions,
  environment: BenchEnvironment,
  results: BenchResults,
  cleanup: CleanupRegistry,
  deadlineAt: number,
): Promise<void> {
  const { kafka, hub, pg, audit, sampler, diagnostics, stages, profileDir } = environment;
  if (options.skipExchange) results.endToEndStatus = 'skipped (--skip-exchange)';
  else
    results.endToEnd = await runExchange({
      envInfo: hub,
      sampler,
      diagnostics,
      stages,
      audit,
      pg,
      log,
      agencies: options.agencies,
      rate: options.rate,
      seconds: options.duration,
      concurrency: options.concurrency,
      warmupSeconds: options.warmup,
      onSaturationStart: profileDir ? async () => fs.writeFileSync(path.join(profileDir, 'start'), '') : undefined,
      onSaturationEnd: profileDir ? async () => fs.writeFileSync(path.join(profileDir, 'stop'), '') : undefined,
      brokers: kafka.brokers,
      bulkBatches: options.bulkBatches,
      cost: {
        alertsPerBatch: options.costAlerts,
        rate: Math.min(options.rate, COST_RATE),
        largeAgencyCount: Math.max(50, options.agencies),
      },
    });

  if (profileDir) {
    const alerts = results.endToEnd ? results.endToEnd.saturation.accepted : 0;
    results.profiles = await collectProfiles(profileDir, options.profile, alerts);
  }

  /** What both ways of building the 1M-entry log take. */
  const auditSection = { hub, cleanup, log, entries: options.auditEntries, root: ROOT, sampler };
  if (options.skipAudit) results.audit = { status: 'skipped (--skip-audit)' };
  else if (!audit.available)
    results.audit = { status: 'pending: audit-log not built yet (no entries table in its migrations)' };
  else if (options.auditViaServices) {
    results.audit = await runAuditViaServices({
      ...auditSection,
      brokers: kafka.brokers,
      appendBudgetSeconds: options.auditAppendBudget,
    });
  } else {
    results.audit = await runAuditScale({
      ...auditSection,
      deadlineAt,
      profileDir: profileDir && options.profile.includes('audit-log') ? path.join(profileDir, 'verify') : null,
    });
  }
}

/** `--compare`: both variants, alternating A B / B A by round, each on a fresh broker and database (compare.ts). */
async function runComparison(
  options: BenchOptions,
  comparison: Comparison,
  results: BenchResults,
  stamp: string,
  cleanup: CleanupRegistry,
): Promise<void> {
  const variants = comparisonVariants(comparison);
  const runs: VariantRun[] = [];
  for (let round = 1; round <= options.compareRounds; round++) {
    for (const variant of round % 2 ? variants : [variants[1], variants[0]]) {
      log(`--compare ${comparison}, round ${round} of ${options.compareRounds}: ${variant.name}`);
      // The phases alone: no cost batches, profiles or audit section, which the comparison does not need.
      const variantOptions: BenchOptions = {
        ...options,
        costAlerts: 0,
        bulkBatches: 0,
        skipAudit: true,
        profile: [],
        skipBaseline: options.skipBaseline || !variant.baseline,
      };
      runs.push(await runVariant(variant, round, variantOptions, results, stamp, cleanup));
      const last = runs[runs.length - 1];
      if (last.error) log(`variant failed: ${last.error.split('\n')[0]}`);
    }
  }
  results.comparison = {
    runs,
    summary: summariseComparison(comparison, [variants[0].name, variants[1].name], runs),
  };
}

/** One variant in an environment of its own, stopped before the next one starts. */
async function runVariant(
  variant: Variant,
  round: number,
  options: BenchOptions,
  results: BenchResults,
  stamp: string,
  outer: CleanupRegistry,
): Promise<VariantRun> {
  const cleanup = cleanupRegistry((line) => process.stderr.write(`[bench] ${line}\n`));
  outer.add(`variant ${variant.name}`, () => cleanup.run());
  const scratch: BenchResults = { ...results, machine: { ...results.machine } };
  delete scratch.baseline;
  delete scratch.endToEnd;
  let metricsUrls: string[] = [];
  let companion: Companion | null = null;
  let sampler: BenchEnvironment['sampler'] | null = null;
  try {
    companion = variant.companion ? await variant.companion(() => metricsUrls) : null;
    const environment = await startEnvironment(options, stamp, scratch, cleanup, (started) => (sampler = started), {
      plaintextListener: variant.plaintextListener,
      serviceEnv: (plaintext) => ({ ...variant.serviceEnv(plaintext), ...(companion ? companion.env : {}) }),
    });
    metricsUrls = Object.values(environment.hub.urls).map((url) => `${url}/metrics`);
    await runPhases(options, environment, scratch, cleanup, Date.now() + 3600000);
    const wrong = plaintextCheck(variant, environment.kafka.plaintextBrokers);
    if (wrong) throw new Error(wrong);
  } catch (error) {
    scratch.error = (error as Error).stack || (error as Error).message;
  } finally {
    (sampler as BenchEnvironment['sampler'] | null)?.stop();
    metricsUrls = []; // no scrapes of services that are stopping
    await cleanup.run();
    await companion?.stop();
  }
  // The machine facts the first environment found (PostgreSQL and broker settings) stand for the run.
  results.machine = { ...scratch.machine, ...results.machine };
  return variantRun(variant.name, round, scratch, companion ? companion.counts() : null);
}

/**
 * Waits for the profiles and counters the services write at the end of the saturation phase, and summarises
 * them; statement and message counts are divided by the alerts accepted in that phase.
 */
async function collectProfiles(dir: string, apps: AppName[], alerts: number): Promise<Record<string, ProfileResult>> {
  const deadline = Date.now() + 20000;
  const profiles: Record<string, ProfileResult> = {};
  for (const app of apps) {
    const file = path.join(dir, `${app}.cpuprofile`);
    while (!fs.existsSync(file) && Date.now() < deadline) await sleep(200);
    if (!fs.existsSync(file)) {
      profiles[app] = { status: 'no profile written' };
      continue;
    }
    await sleep(500);
    const p = summarizeProfile(file);
    profiles[app] = p;
    log(
      `profile ${app}: busy ${p.busySeconds} s of ${p.wallSeconds} s; top areas ${p.areas
        .slice(0, 6)
        .map((a) => `${a.name} ${a.percentOfBusy}%`)
        .join(', ')}`,
    );
    const countsFile = path.join(dir, `${app}.counts.json`);
    if (fs.existsSync(countsFile) && alerts > 0) {
      const counts = JSON.parse(fs.readFileSync(countsFile, 'utf8')) as ProfileCounts;
      const per = (v: number) => Math.round((v / alerts) * 100) / 100;
      const statements = Object.values(counts.queries).reduce((a, b) => a + b, 0);
      const perAcceptedAlert = {
        alerts,
        sqlStatements: per(statements),
        topStatements: Object.entries(counts.queries)
          .slice(0, 20)
          .map(([sql, n]) => ({ perAlert: per(n), sql })),
        kafkaProduceCalls: per(counts.kafka.sends),
        kafkaMessages: per(counts.kafka.messages),
        kafkaMessagesByTopic: Object.fromEntries(Object.entries(counts.kafka.byTopic).map(([t, n]) => [t, per(n)])),
      };
      Object.assign(p, { perAcceptedAlert });
      log(
        `profile ${app}: ${perAcceptedAlert.sqlStatements} SQL statements and ${perAcceptedAlert.kafkaProduceCalls} Kafka produce calls per alert`,
      );
    }
  }
  return profiles;
}

// ── report ───────────────────────────────────────────────────────────────────────────────────────────────────────

/** Goals and ratios, the results file, the table. */
function writeReport(results: BenchResults, resultsFile: string): void {
  results.machine.loadAverageEnd = loadAverage();
  results.machine.jestRunningAtEnd = jestRunning();
  results.finishedAt = new Date().toISOString();
  results.goals = goals(results);
  results.ratios = ratios(results);
  fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${renderTable(results)}\n`);
  if (results.comparison)
    process.stdout.write(
      `${renderComparison(results.comparison.summary, results.comparison.runs, results.options.rate).join('\n')}\n`,
    );
}

/** After the services have stopped: the bench database is large (1M audit entries) and of no further use. */
async function dropBenchDatabase(name: string): Promise<void> {
  const admin = new Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres', max: 1 });
  try {
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [name],
    );
    await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
  } finally {
    await admin.end();
  }
}

// ── the run ──────────────────────────────────────────────────────────────────────────────────────────────────────

export async function runBenchmark(argv: string[]): Promise<BenchResults | undefined> {
  const options = parseBenchOptions(argv);
  if (!options) return undefined;
  if (options.waitQuiet > 0) await waitQuiet(options.waitQuiet);
  const runStartedAt = Date.now();
  const startedAt = new Date(runStartedAt);
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const resultsFile = path.join(RESULTS_DIR, `${stamp}.json`);
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    options,
    machine: { ...machineFacts(), loadAverageStart: loadAverage(), jestRunningAtStart: jestRunning() },
    resultsFile: path.relative(ROOT, resultsFile),
  };

  const cleanup = cleanupRegistry((line) => process.stderr.write(`[bench] ${line}\n`));
  let interrupted = false;
  const onSignal = (signal: string) => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n[bench] ${signal}: stopping everything this run started…\n`);
    void cleanup.run().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Through the services, the audit section may take its append budget and two rounds of verify and export more.
  const runLimitMs = options.compare
    ? // Each variant: a broker, the hub, warm-up, both phases and their drains (about 2-3 minutes on 2 cores).
      (options.compareRounds * 2 * (5 * 60 + options.duration * 8) + 120) * 1000
    : RUN_LIMIT_MS + (options.auditViaServices ? (options.auditAppendBudget + 600) * 1000 : 0);
  const watchdog = setTimeout(() => {
    process.stderr.write(`[bench] the run exceeded ${Math.round(runLimitMs / 60000)} minutes: stopping\n`);
    onSignal('timeout');
  }, runLimitMs);
  watchdog.unref();

  let sampler: BenchEnvironment['sampler'] | null = null;
  let failure: Error | null = null;
  try {
    const { loadAverageStart, jestRunningAtStart } = results.machine;
    log(
      `options: ${JSON.stringify(options)}; load average ${loadAverageStart.join(' ')}${jestRunningAtStart ? ' — jest is running: numbers will be noisy' : ''}`,
    );
    if (options.compare) await runComparison(options, options.compare, results, stamp, cleanup);
    else {
      const environment = await startEnvironment(options, stamp, results, cleanup, (started) => (sampler = started));
      await runPhases(options, environment, results, cleanup, runStartedAt + runLimitMs - 90000);
    }
  } catch (error) {
    failure = error as Error;
    results.error = failure.stack || failure.message;
    process.stderr.write(`[bench] failed: ${failure.message}\n`);
  } finally {
    const started = sampler as BenchEnvironment['sampler'] | null;
    if (started) {
      results.peakRssMb = started.highWaterMarksMb();
      started.stop();
    }
    if (!interrupted) {
      log('stopping the services and the bench broker');
      await cleanup.run();
      const databaseName = databaseNameFor(options.portBase);
      if (!options.keep)
        await dropBenchDatabase(databaseName).catch((error: Error) =>
          log(`could not drop ${databaseName}: ${error.message}`),
        );
    }
    clearTimeout(watchdog);
  }
  writeReport(results, resultsFile);
  if (failure) {
    throw Object.assign(
      new Error(`benchmark failed: ${failure.message} (partial results in ${path.relative(ROOT, resultsFile)})`),
      { exitCode: 1 },
    );
  }
  return results;
}
