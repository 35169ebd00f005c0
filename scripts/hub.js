#!/usr/bin/env node
'use strict';
/**
 * The hub's one entry point for people and CI (only Node built-ins until `npm ci` has run):
 *   npm start   Kafka (local KRaft broker unless KAFKA_BROKERS is set), database, migrations, the three services
 *   npm test    type check, lint, unit tests, build, then integration + end-to-end tests on a fresh broker and database
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const LOCAL_ADMIN_KEY = 'local-admin-key-change-me';

function log(line) {
  process.stdout.write(`[hub] ${line}\n`);
}

function run(command, args, options = {}) {
  log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    const error = new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`);
    error.exitCode = result.status || 1;
    throw error;
  }
}

/** npm ci when node_modules is missing or older than the lock file. */
function ensureDependencies() {
  const modules = path.join(ROOT, 'node_modules');
  // A working copy that shares another's node_modules through a symlink must not `npm ci` through it: npm empties
  // the link's target (every copy sharing it loses its packages) and then installs into a new local folder.
  if (fs.existsSync(modules) && fs.lstatSync(modules).isSymbolicLink()) {
    log('node_modules is a symbolic link (shared install): not running npm ci; run it where the link points if packages are stale');
    return;
  }
  const installed = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lock = path.join(ROOT, 'package-lock.json');
  if (fs.existsSync(installed) && fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (/\.(ts|html|css|js)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the apps with the Nest CLI when a source is newer than the last build. */
function build({ force = false } = {}) {
  const stamp = path.join(ROOT, 'dist', '.build-stamp');
  const sources = Math.max(newestMtime(path.join(ROOT, 'apps')), newestMtime(path.join(ROOT, 'libs')));
  if (!force && fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= sources) return;
  for (const app of require('./lib/services').APPS) run('npx', ['nest', 'build', app]);
  fs.writeFileSync(stamp, new Date().toISOString());
}

/** Environment for one hub instance: dev (npm start) or test (npm test), on different ports and databases. */
async function bringUpInfrastructure(kind) {
  const { startKafka } = require('./lib/kafka');
  const { ensureDatabase, databaseUrl } = require('./lib/postgres');
  const test = kind === 'test';
  const slot = require('./lib/kafka').TEST_SLOT;
  const env = {
    ...process.env,
    HUB_ADMIN_KEY: process.env.HUB_ADMIN_KEY || (test ? 'test-admin-key-0123456789' : LOCAL_ADMIN_KEY),
    GATEWAY_PORT: test ? String(13000 + slot * 100) : process.env.GATEWAY_PORT || '3000',
    COORDINATION_PORT: test ? String(13001 + slot * 100) : process.env.COORDINATION_PORT || '3001',
    AUDIT_PORT: test ? String(13002 + slot * 100) : process.env.AUDIT_PORT || '3002',
    LOG_LEVEL: process.env.LOG_LEVEL || 'info',
  };
  let kafka = { brokers: (process.env.KAFKA_BROKERS || '').split(',').filter(Boolean), started: false, stop: async () => undefined };
  if (test || kafka.brokers.length === 0) kafka = await startKafka(kind, { fresh: test, owned: !test });
  else log(`using the Kafka cluster in KAFKA_BROKERS: ${kafka.brokers.join(',')}`);
  env.KAFKA_BROKERS = kafka.brokers.join(',');
  // Each principal's password (the local defaults unless set): the apps', and the admin's for migrate and the tests.
  Object.assign(env, require('./lib/kafka').kafkaEnvironment(env));
  env.DATABASE_URL = test ? `postgres://postgres@127.0.0.1:5432/hub_test${slot ? `_${slot}` : ''}` : databaseUrl('hub');
  await ensureDatabase(env.DATABASE_URL, { fresh: test });
  log(`database ${new URL(env.DATABASE_URL).pathname.slice(1)} on ${new URL(env.DATABASE_URL).host}`);
  return { env, kafka };
}

async function start() {
  ensureDependencies();
  build();
  const services = require('./lib/services');
  const supervisor = require('./lib/supervisor');
  const pidDir = path.join(ROOT, '.hub', 'pids');
  // Services a hard-stopped earlier run left behind would hold the ports (its broker is handled by startKafka).
  const stale = await supervisor.stopStaleServices(pidDir, services.APPS);
  if (stale.length) log(`stopped services left running by an earlier run that is gone: ${stale.join(', ')}`);
  const { env, kafka } = await bringUpInfrastructure('dev');
  services.migrateAll(env);
  const logDir = path.join(ROOT, '.hub', 'logs');
  fs.mkdirSync(pidDir, { recursive: true });
  const supervised = services.APPS.map((app) =>
    supervisor.superviseService(app, env, logDir, {
      report: (line) => log(line),
      onStart: (pid) => fs.writeFileSync(path.join(pidDir, `${app}.pid`), String(pid)),
    }),
  );
  let stopping = false;
  const stopAll = async (code) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    await Promise.all(supervised.map((s) => s.stop()));
    for (const app of services.APPS) fs.rmSync(path.join(pidDir, `${app}.pid`), { force: true });
    if (kafka.started) await kafka.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  // The terminal closed: without this the services and the broker would run on with nobody to stop them.
  process.on('SIGHUP', () => void stopAll(0));
  // Exiting without stopAll (an uncaught error): ask everything we started to stop, since we cannot wait here.
  process.on('exit', () => {
    if (stopping) return;
    for (const s of supervised) {
      try {
        s.handle.child.kill('SIGTERM');
      } catch {
        /* gone */
      }
    }
    if (kafka.started) require('./lib/kafka').signalKafkaStop('dev');
  });
  try {
    await Promise.all(supervised.map((s) => s.ready));
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    await stopAll(1);
    return;
  }
  const seed = require('./lib/seed');
  const keys = await seed.seedDemoAgencies(`http://127.0.0.1:${env.GATEWAY_PORT}`, env.HUB_ADMIN_KEY, path.join(ROOT, '.hub', 'demo-keys.json'));
  printWelcome(env, keys, logDir);
}

function printWelcome(env, keys, logDir) {
  const lines = [
    '',
    'Alert Exchange Hub is up.',
    `  agency-gateway     http://127.0.0.1:${env.GATEWAY_PORT}   (API docs: /docs)`,
    `  coordination-node  http://127.0.0.1:${env.COORDINATION_PORT}   (analyst dashboard: /)`,
    `  audit-log          http://127.0.0.1:${env.AUDIT_PORT}`,
    `  Kafka              ${env.KAFKA_BROKERS}`,
    `  PostgreSQL         ${new URL(env.DATABASE_URL).host}${new URL(env.DATABASE_URL).pathname}`,
    `  logs               ${path.relative(ROOT, logDir)}/<service>.log`,
    '',
    `Admin key (HUB_ADMIN_KEY): ${env.HUB_ADMIN_KEY}`,
    ...keys.summary,
    `All local keys are saved in .hub/demo-keys.json. Post demo traffic with:  npm run demo`,
    'A service that exits is restarted (with backoff) and the restart is logged here. Ctrl-C stops everything started here.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/**
 * `npm test` runs everything. `npm test -- <jest arguments>` (e.g. `npm test -- test/chaos-short`) type-checks,
 * builds and runs only the integration and end-to-end specs jest selects with them, on the same broker and
 * database: the quick loop while working on one feature. CI runs the whole.
 */
async function test(selection) {
  const started = Date.now();
  ensureDependencies();
  run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  run('npx', ['tsc', '-p', 'tsconfig.web.json']); // the web pages' browser scripts, against the DOM
  const unitReport = path.join(ROOT, '.hub', 'jest-unit.json');
  const integrationReport = path.join(ROOT, '.hub', 'jest-integration.json');
  fs.mkdirSync(path.dirname(unitReport), { recursive: true }); // jest does not create the folder of --outputFile
  const reports = [integrationReport];
  if (selection.length === 0) {
    run('npx', ['eslint', 'apps', 'libs', 'scripts', 'test']);
    run('npx', ['jest', '--config', 'jest.unit.config.js', '--json', `--outputFile=${unitReport}`]);
    reports.unshift(unitReport);
  }
  build({ force: true });
  const { env, kafka } = await bringUpInfrastructure('test');
  try {
    require('./lib/services').migrateAll(env);
    run('npx', ['jest', '--config', 'jest.integration.config.js', '--runInBand', '--json', `--outputFile=${integrationReport}`, ...selection], {
      env: { ...env, HUB_TEST: '1' },
    });
  } finally {
    // jest's teardown does not run when jest itself dies: services left running would hold the test ports.
    await require('../test/services').stopTestServices();
    await kafka.stop();
  }
  log(`${selection.length ? 'selected' : 'all'} tests passed in ${Math.round((Date.now() - started) / 1000)} s`);
  printTotals(reports);
}

/** One plain closing line over both jest runs, e.g. "tests: 759 passed, 0 failed". */
function printTotals(reports) {
  let passed = 0;
  let failed = 0;
  for (const report of reports) {
    const result = JSON.parse(fs.readFileSync(report, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
  }
  process.stdout.write(`tests: ${passed} passed, ${failed} failed\n`);
}

async function demo() {
  ensureDependencies();
  const gateway = process.env.GATEWAY_URL || `http://127.0.0.1:${process.env.GATEWAY_PORT || 3000}`;
  await require('./lib/demo').runDemo(gateway, path.join(ROOT, '.hub', 'demo-keys.json'));
}

async function kafkaCommand(action) {
  ensureDependencies();
  const kafka = require('./lib/kafka');
  if (action === 'start') await kafka.startKafka('dev');
  else if (action === 'stop') await kafka.stopKafka('dev');
  else throw new Error('usage: npm run kafka -- start|stop');
}

const commands = {
  start,
  test: () => test(process.argv.slice(3)),
  demo,
  kafka: () => kafkaCommand(process.argv[3]),
  build: () => {
    ensureDependencies();
    build({ force: true });
  },
  'dead-letters': async () => {
    ensureDependencies();
    await require('./lib/dead-letters').runDeadLetters(process.argv.slice(3));
  },
  chaos: async () => {
    ensureDependencies();
    build();
    await require('./lib/chaos').runChaos(process.argv.slice(3));
  },
  bench: async () => {
    ensureDependencies();
    build();
    await require('./lib/bench').runBenchmark(process.argv.slice(3));
  },
};

const command = commands[process.argv[2]];
if (!command) {
  process.stderr.write(`usage: node scripts/hub.js ${Object.keys(commands).join('|')}\n`);
  process.exit(2);
}
Promise.resolve(command()).catch((error) => {
  process.stderr.write(`[hub] ${error.message}\n`);
  process.exit(error.exitCode || 1);
});
