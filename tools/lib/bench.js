'use strict';
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
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const RESULTS_DIR = path.join(ROOT, 'bench-results');
const RUN_LIMIT_MS = 14 * 60 * 1000; // a safety net: a default run takes 9-12 minutes on 2 cores
/** Alerts per second in the cost batches: well below capacity, so a batch drains in seconds. */
const COST_RATE = 30;

function log(line) {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function parseArgs(argv) {
  const options = {
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
  };
  const numeric = { '--agencies': 'agencies', '--rate': 'rate', '--duration': 'duration', '--concurrency': 'concurrency', '--warmup': 'warmup', '--audit-entries': 'auditEntries', '--cost-alerts': 'costAlerts', '--audit-append-budget': 'auditAppendBudget', '--wait-quiet': 'waitQuiet', '--port-base': 'portBase', '--brokers': 'brokers' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (numeric[flag]) {
      const v = Number(value());
      if (!Number.isFinite(v) || v < 0) throw new Error(`${flag} needs a non-negative number`);
      options[numeric[flag]] = v;
    } else if (flag === '--skip-audit') options.skipAudit = true;
    else if (flag === '--skip-baseline') options.skipBaseline = true;
    else if (flag === '--skip-exchange') options.skipExchange = true;
    else if (flag === '--audit-via-services') options.auditViaServices = true;
    else if (flag === '--keep') options.keep = true;
    else if (flag === '--profile') options.profile = value().split(',').filter(Boolean);
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(
        'npm run bench -- [--agencies 8] [--rate 200] [--duration 20] [--concurrency 64] [--warmup 5] [--skip-audit]\n' +
          '                 [--skip-baseline] [--skip-exchange] [--audit-entries 1000000] [--profile agency-gateway,coordination-node,audit-log]\n' +
          '                 [--wait-quiet <seconds to wait for jest/tsc/nest build to finish and the load to drop>] [--keep]\n' +
          '                 [--port-base 23000 (services on base..base+2, broker on base+6092/6093, database hub_bench_<base>)]\n' +
          '                 [--brokers 1 (or 3: a 3-node KRaft cluster, replication factor 3, min.insync.replicas 2)]\n' +
          '                 [--cost-alerts 60 (per batch of the cost table; 0 skips it)]\n' +
          '                 [--audit-via-services (the log written by the audit-log service from its Kafka topics) [--audit-append-budget 600 (s)]]\n',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${argv[i]} (see --help)`);
  }
  if (options.brokers !== 1 && options.brokers !== 3) throw new Error('--brokers is 1 or 3');
  if (options.agencies < 2) throw new Error('--agencies must be at least 2 (every alert needs recipients)');
  if (options.rate <= 0 || options.duration <= 0 || options.concurrency < 1) throw new Error('--rate, --duration and --concurrency must be positive');
  const unknownProfile = options.profile.filter((app) => !['agency-gateway', 'coordination-node', 'audit-log'].includes(app));
  if (unknownProfile.length) throw new Error(`--profile: unknown app ${unknownProfile.join(', ')}`);
  return options;
}

/** Everything the run started, stopped in reverse order exactly once — on success, failure or a signal. */
function cleanupRegistry() {
  const steps = [];
  let running = null;
  return {
    add(name, fn) {
      steps.push({ name, fn });
    },
    run() {
      if (!running) {
        running = (async () => {
          for (const step of steps.reverse()) {
            try {
              await step.fn();
            } catch (error) {
              process.stderr.write(`[bench] cleanup ${step.name}: ${error.message}\n`);
            }
          }
        })();
      }
      return running;
    },
  };
}

function jestRunning() {
  const result = spawnSync('pgrep', ['-f', 'jest'], { encoding: 'utf8' });
  return result.stdout.trim().split('\n').filter(Boolean).length > 0;
}

/** Other people's builds and tests on this machine: jest, the TypeScript compiler, Nest builds. */
function othersBusy() {
  const result = spawnSync('pgrep', ['-f', 'jest|tsc -p|nest build'], { encoding: 'utf8' });
  const busy = result.stdout.trim().split('\n').filter(Boolean).length > 0;
  return busy || os.loadavg()[0] > os.cpus().length;
}

function machineFacts() {
  const git = (args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  let kafka = 'unknown';
  try {
    const jar = fs.readdirSync(path.join(ROOT, '.hub', 'kafka', 'libs')).find((f) => /^kafka_2\.13-[\d.]+\.jar$/.test(f));
    if (jar) kafka = jar.replace(/^kafka_2\.13-|\.jar$/g, '');
  } catch {
    /* jars not fetched yet */
  }
  return {
    cores: os.cpus().length,
    cpuModel: (os.cpus()[0] || {}).model || 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kafka,
    os: `${os.type()} ${os.release()}`,
    gitCommit: git(['rev-parse', '--short=12', 'HEAD']) || 'unknown',
    gitDirty: git(['status', '--porcelain']).length > 0,
  };
}

/** Waits (up to `seconds`) until no jest, tsc or nest build runs and the 1-minute load is below the core count. */
async function waitQuiet(seconds) {
  const deadline = Date.now() + seconds * 1000;
  let waited = false;
  while (othersBusy() && Date.now() < deadline) {
    if (!waited) log(`the machine is busy (jest/tsc/nest build running or load ${os.loadavg()[0].toFixed(1)}); waiting up to ${seconds} s`);
    waited = true;
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  if (waited) log(othersBusy() ? `still busy (load ${os.loadavg()[0].toFixed(1)}): measuring anyway, numbers will be noisy` : 'quiet now');
}

async function runBenchmark(argv) {
  const options = parseArgs(argv);
  const { ResourceSampler, loadAverage } = require('./bench/metrics');
  const { checkPorts, startBroker, startHub, databaseNameFor } = require('./bench/environment');
  const databaseName = databaseNameFor(options.portBase);
  const { runBaseline } = require('./bench/baseline');
  const { runExchange } = require('./bench/exchange');
  const { auditProbe } = require('./bench/audit');
  const { renderTable, goals, ratios } = require('./bench/report');

  if (options.waitQuiet > 0) await waitQuiet(options.waitQuiet);
  const runStartedAt = Date.now();
  const startedAt = new Date(runStartedAt);
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const resultsFile = path.join(RESULTS_DIR, `${stamp}.json`);
  const results = {
    startedAt: startedAt.toISOString(),
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    options,
    machine: { ...machineFacts(), loadAverageStart: loadAverage(), jestRunningAtStart: jestRunning() },
    resultsFile: path.relative(ROOT, resultsFile),
  };

  const cleanup = cleanupRegistry();
  let interrupted = false;
  const onSignal = (signal) => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n[bench] ${signal}: stopping everything this run started…\n`);
    cleanup.run().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Through the services, the audit section may take its append budget and two rounds of verify and export more.
  const runLimitMs = RUN_LIMIT_MS + (options.auditViaServices ? (options.auditAppendBudget + 600) * 1000 : 0);
  const watchdog = setTimeout(() => {
    process.stderr.write(`[bench] the run exceeded ${Math.round(runLimitMs / 60000)} minutes: stopping\n`);
    onSignal('timeout');
  }, runLimitMs);
  watchdog.unref();

  let pg = null;
  let audit = null;
  let sampler = null;
  let failure = null;
  try {
    log(`options: ${JSON.stringify(options)}; load average ${results.machine.loadAverageStart.join(' ')}${results.machine.jestRunningAtStart ? ' — jest is running: numbers will be noisy' : ''}`);
    await checkPorts(options.portBase);
    const kafka = await startBroker({ cleanup, portBase: options.portBase, brokers: options.brokers });
    const { Pool } = require('pg');

    if (!options.skipBaseline) {
      results.baseline = await runBaseline({ brokers: kafka.brokers, seconds: Math.min(10, options.duration), rate: options.rate, log });
    } else results.baselineStatus = 'skipped (--skip-baseline)';

    const profileDir = options.profile.length ? path.join(RESULTS_DIR, 'profiles', stamp) : null;
    if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
    const hub = await startHub({ cleanup, log, kafka, portBase: options.portBase, profileApps: options.profile, profileDir });
    // A small pool: the samplers, the audit probe and the drain checks query concurrently.
    pg = new Pool({ connectionString: hub.databaseUrl, application_name: 'bench-observer', max: 3 });
    cleanup.add('observer connections', () => pg.end());
    results.machine.postgres = (await pg.query('SHOW server_version')).rows[0].server_version.split(' ')[0];
    results.machine.postgres = `PostgreSQL ${results.machine.postgres}`;
    const { postgresSettings, brokerFacts } = require('./bench/environment');
    results.machine.postgresSettings = await postgresSettings(pg);
    results.machine.kafkaBroker = await brokerFacts(kafka.brokers).catch((error) => ({ error: error.message }));
    log(`PostgreSQL ${JSON.stringify(results.machine.postgresSettings)}; Kafka ${JSON.stringify(results.machine.kafkaBroker)}`);

    audit = await auditProbe({ pg, brokers: kafka.brokers });
    if (audit.available) cleanup.add('audit probe', () => audit.close());
    else log(`audit log: ${audit.reason} → audit figures are "n/a (audit-log not built)"`);

    const pids = Object.fromEntries(hub.handles.map((h) => [h.app, h.child.pid]));
    kafka.pids.forEach((pid, i) => (pids[kafka.pids.length === 1 ? 'kafka broker (bench)' : `kafka broker ${i + 1} of ${kafka.pids.length} (bench)`] = pid));
    let backends = { at: 0, rows: [] };
    const backendPids = async (app) => {
      if (Date.now() - backends.at > 400) {
        const { rows } = await pg.query(`SELECT pid, application_name FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [hub.databaseName]);
        backends = { at: Date.now(), rows };
      }
      return backends.rows.filter((r) => r.application_name.startsWith(app)).map((r) => r.pid);
    };
    sampler = new ResourceSampler(pids, {
      groups: {
        'postgres backends of agency-gateway': () => backendPids('agency-gateway'),
        'postgres backends of coordination-node': () => backendPids('coordination-node'),
        'postgres backends of audit-log': () => backendPids('audit-log'),
      },
    });
    sampler.start();
    const { Diagnostics, StageObserver } = require('./bench/diagnostics');
    const diagnostics = new Diagnostics({ brokers: kafka.brokers, pg, database: hub.databaseName });
    await diagnostics.start();
    cleanup.add('diagnostics', () => diagnostics.stop());
    const stages = new StageObserver({ brokers: kafka.brokers });
    if (!options.skipExchange) {
      await stages.start();
      cleanup.add('stage observer', () => stages.stop());
    }

    if (options.skipExchange) results.endToEndStatus = 'skipped (--skip-exchange)';
    else results.endToEnd = await runExchange({
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
      cost: { alertsPerBatch: options.costAlerts, rate: Math.min(options.rate, COST_RATE), largeAgencyCount: Math.max(50, options.agencies) },
    });

    if (profileDir) {
      const alerts = results.endToEnd ? results.endToEnd.saturation.accepted : 0;
      results.profiles = await collectProfiles(profileDir, options.profile, alerts);
    }

    /** What both ways of building the 1M-entry log take. */
    const auditSection = { hub, cleanup, log, entries: options.auditEntries, root: ROOT, sampler };
    if (options.skipAudit) results.audit = { status: 'skipped (--skip-audit)' };
    else if (!audit.available) results.audit = { status: 'pending: audit-log not built yet (no entries table in its migrations)' };
    else if (options.auditViaServices) {
      const { runAuditViaServices } = require('./bench/audit-services');
      results.audit = await runAuditViaServices({
        ...auditSection,
        brokers: kafka.brokers,
        appendBudgetSeconds: options.auditAppendBudget,
      });
    } else {
      const { runAuditScale } = require('./bench/audit-scale');
      results.audit = await runAuditScale({
        ...auditSection,
        deadlineAt: runStartedAt + runLimitMs - 90000,
        profileDir: profileDir && options.profile.includes('audit-log') ? path.join(profileDir, 'verify') : null,
      });
    }
  } catch (error) {
    failure = error;
    results.error = error.stack || error.message;
    process.stderr.write(`[bench] failed: ${error.message}\n`);
  } finally {
    if (sampler) {
      results.peakRssMb = sampler.highWaterMarksMb();
      sampler.stop();
    }
    if (!interrupted) {
      log('stopping the services and the bench broker');
      await cleanup.run();
      if (!options.keep) await dropBenchDatabase(databaseName).catch((error) => log(`could not drop ${databaseName}: ${error.message}`));
    }
    clearTimeout(watchdog);
  }
  results.machine.loadAverageEnd = loadAverage();
  results.machine.jestRunningAtEnd = jestRunning();
  results.finishedAt = new Date().toISOString();
  results.goals = goals(results);
  results.ratios = ratios(results);
  fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${renderTable(results)}\n`);
  if (failure) {
    const error = new Error(`benchmark failed: ${failure.message} (partial results in ${path.relative(ROOT, resultsFile)})`);
    error.exitCode = 1;
    throw error;
  }
  return results;
}

/** After the services have stopped: the bench database is large (1M audit entries) and of no further use. */
async function dropBenchDatabase(name) {
  const { Client } = require('pg');
  const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  try {
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
    await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
  } finally {
    await admin.end();
  }
}

/**
 * Waits for the profiles and counters the services write at the end of the saturation phase, and summarises
 * them; statement and message counts are divided by the alerts accepted in that phase.
 */
async function collectProfiles(dir, apps, alerts) {
  const { summarizeProfile } = require('./bench/profile-summary');
  const deadline = Date.now() + 20000;
  const profiles = {};
  for (const app of apps) {
    const file = path.join(dir, `${app}.cpuprofile`);
    while (!fs.existsSync(file) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    if (!fs.existsSync(file)) {
      profiles[app] = { status: 'no profile written' };
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const p = summarizeProfile(file);
    profiles[app] = p;
    log(`profile ${app}: busy ${p.busySeconds} s of ${p.wallSeconds} s; top areas ${p.areas.slice(0, 6).map((a) => `${a.name} ${a.percentOfBusy}%`).join(', ')}`);
    const countsFile = path.join(dir, `${app}.counts.json`);
    if (fs.existsSync(countsFile) && alerts > 0) {
      const counts = JSON.parse(fs.readFileSync(countsFile, 'utf8'));
      const per = (v) => Math.round((v / alerts) * 100) / 100;
      const statements = Object.values(counts.queries).reduce((a, b) => a + b, 0);
      p.perAcceptedAlert = {
        alerts,
        sqlStatements: per(statements),
        topStatements: Object.entries(counts.queries).slice(0, 20).map(([sql, n]) => ({ perAlert: per(n), sql })),
        kafkaProduceCalls: per(counts.kafka.sends),
        kafkaMessages: per(counts.kafka.messages),
        kafkaMessagesByTopic: Object.fromEntries(Object.entries(counts.kafka.byTopic).map(([t, n]) => [t, per(n)])),
      };
      log(`profile ${app}: ${p.perAcceptedAlert.sqlStatements} SQL statements and ${p.perAcceptedAlert.kafkaProduceCalls} Kafka produce calls per alert`);
    }
  }
  return profiles;
}

module.exports = { runBenchmark, parseArgs, cleanupRegistry };
