/**
 * The hub's one entry point for people and CI, after tools/bootstrap.js has made sure node_modules exist:
 *   npm start   Kafka (local KRaft broker unless KAFKA_BROKERS is set), database, migrations, the three services
 *   npm test    type check, lint, unit tests, build, then integration + end-to-end tests on a fresh broker and database
 *   npm run demo | kafka | dead-letters | bench | chaos
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  APPS,
  ROOT,
  signalKafkaStop,
  startKafka,
  stopKafka,
  stopStaleServices,
  stopTestServices,
  superviseService,
  migrateAll,
} from '@hub/testing/local-hub';
import { ensureChromium } from './lib/chromium';
import { bringUpInfrastructure, HubEnvironment } from './lib/infrastructure';
import { log, run } from './lib/run';
import { seedDemoAgencies } from './lib/seed';
import { runDemo } from './lib/demo';
import { runDeadLetters } from './lib/dead-letters';
import { runBenchmark } from './lib/bench';
import { runChaos } from './lib/chaos';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (/\.(ts|html|css|js)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds the apps with the Nest CLI when a source is newer than the last build. */
export function build({ force = false }: { force?: boolean } = {}): void {
  const stamp = path.join(ROOT, 'dist', '.build-stamp');
  const sources = Math.max(newestMtime(path.join(ROOT, 'apps')), newestMtime(path.join(ROOT, 'libs')));
  if (!force && fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= sources) return;
  for (const app of APPS) run('npx', ['nest', 'build', app]);
  fs.writeFileSync(stamp, new Date().toISOString());
}

async function start(): Promise<void> {
  build();
  const pidDir = path.join(ROOT, '.hub', 'pids');
  // Services a hard-stopped earlier run left behind would hold the ports (its broker is handled by startKafka).
  const stale = await stopStaleServices(pidDir, APPS);
  if (stale.length) log(`stopped services left running by an earlier run that is gone: ${stale.join(', ')}`);
  const { env, kafka } = await bringUpInfrastructure('dev');
  migrateAll(env);
  const logDir = path.join(ROOT, '.hub', 'logs');
  fs.mkdirSync(pidDir, { recursive: true });
  const supervised = APPS.map((app) =>
    superviseService(app, env, logDir, {
      report: (line) => log(line),
      onStart: (pid) => fs.writeFileSync(path.join(pidDir, `${app}.pid`), String(pid)),
    }),
  );
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    await Promise.all(supervised.map((s) => s.stop()));
    for (const app of APPS) fs.rmSync(path.join(pidDir, `${app}.pid`), { force: true });
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
    if (kafka.started) signalKafkaStop('dev');
  });
  try {
    await Promise.all(supervised.map((s) => s.ready));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    await stopAll(1);
    return;
  }
  const keys = await seedDemoAgencies(
    `http://127.0.0.1:${env.GATEWAY_PORT}`,
    env.HUB_ADMIN_KEY as string,
    path.join(ROOT, '.hub', 'demo-keys.json'),
  );
  printWelcome(env, keys.summary, logDir);
}

function printWelcome(env: HubEnvironment, summary: string[], logDir: string): void {
  const database = new URL(env.DATABASE_URL as string);
  const lines = [
    '',
    'Alert Exchange Hub is up.',
    `  agency-gateway     http://127.0.0.1:${env.GATEWAY_PORT}   (API docs: /docs)`,
    `  coordination-node  http://127.0.0.1:${env.COORDINATION_PORT}   (analyst dashboard: /)`,
    `  audit-log          http://127.0.0.1:${env.AUDIT_PORT}`,
    `  Kafka              ${env.KAFKA_BROKERS}`,
    `  PostgreSQL         ${database.host}${database.pathname}`,
    `  logs               ${path.relative(ROOT, logDir)}/<service>.log`,
    `  traces             ${tracesLine(env)}`,
    '',
    `Admin key (HUB_ADMIN_KEY): ${env.HUB_ADMIN_KEY}`,
    ...summary,
    `All local keys are saved in .hub/demo-keys.json. Post demo traffic with:  npm run demo`,
    'A service that exits is restarted (with backoff) and the restart is logged here. Ctrl-C stops everything started here.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/**
 * `npm test` runs everything. `npm test -- <jest arguments>` (e.g. `npm test -- test/health`) type-checks,
 * builds and runs only the integration and end-to-end specs jest selects with them, on the same broker and
 * database: the quick loop while working on one feature. CI runs the whole.
 */
async function test(selection: string[]): Promise<void> {
  const started = Date.now();
  // Before anything slow: the browser tests need it, and a missing browser is a failure, never a skip.
  ensureChromium({ required: selection.length === 0 });
  run('npm', ['run', '-s', 'typecheck']); // the TypeScript of apps, libs, tools and tests, and the web pages' scripts
  const unitReport = path.join(ROOT, '.hub', 'jest-unit.json');
  const integrationReport = path.join(ROOT, '.hub', 'jest-integration.json');
  fs.mkdirSync(path.dirname(unitReport), { recursive: true }); // jest does not create the folder of --outputFile
  const reports = [integrationReport];
  if (selection.length === 0) {
    run('npm', ['run', '-s', 'lint']);
    run('npx', ['jest', '--config', 'jest.unit.config.js', '--json', `--outputFile=${unitReport}`]);
    reports.unshift(unitReport);
  }
  build({ force: true });
  const { env, kafka } = await bringUpInfrastructure('test');
  try {
    migrateAll(env);
    run(
      'npx',
      [
        'jest',
        '--config',
        'jest.integration.config.js',
        '--runInBand',
        '--json',
        `--outputFile=${integrationReport}`,
        ...selection,
      ],
      {
        env: { ...env, HUB_TEST: '1' },
      },
    );
  } finally {
    // jest's teardown does not run when jest itself dies: services left running would hold the test ports.
    await stopTestServices();
    await kafka.stop();
  }
  log(`${selection.length ? 'selected' : 'all'} tests passed in ${Math.round((Date.now() - started) / 1000)} s`);
  printTotals(reports);
}

/** One plain closing line over both jest runs, e.g. "tests: 759 passed, 0 failed". */
function printTotals(reports: string[]): void {
  let passed = 0;
  let failed = 0;
  for (const report of reports) {
    const result = JSON.parse(fs.readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number };
    passed += result.numPassedTests;
    failed += result.numFailedTests;
  }
  process.stdout.write(`tests: ${passed} passed, ${failed} failed\n`);
}

async function demo(): Promise<void> {
  const gateway = process.env.GATEWAY_URL || `http://127.0.0.1:${process.env.GATEWAY_PORT || 3000}`;
  await runDemo(gateway, process.env.HUB_DEMO_KEYS || path.join(ROOT, '.hub', 'demo-keys.json'));
}

async function kafkaCommand(action: string | undefined): Promise<void> {
  if (action === 'start') await startKafka('dev');
  else if (action === 'stop') await stopKafka('dev');
  else throw new Error('usage: npm run kafka -- start|stop');
}

/** Builds the apps first when they are stale, unless the command is only asked for its usage. */
const buildUnlessHelp = (args: string[]) => args.includes('--help') || args.includes('-h') || build();

const COMMANDS: Record<string, (args: string[]) => Promise<void> | void> = {
  start,
  test,
  demo,
  kafka: ([action]) => kafkaCommand(action),
  build: () => build({ force: true }),
  'dead-letters': (args) => runDeadLetters(args),
  chaos: async (args) => {
    buildUnlessHelp(args);
    await runChaos(args);
  },
  bench: async (args) => {
    buildUnlessHelp(args);
    await runBenchmark(args);
  },
};

/** Runs `node tools/bootstrap.js <command> [arguments]`; exits non-zero with the error's message when it fails. */
export function main([name, ...args]: string[]): void {
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    process.stderr.write(`usage: node tools/bootstrap.js ${Object.keys(COMMANDS).join('|')} [arguments]\n`);
    process.exit(2);
  }
  Promise.resolve(command(args)).catch((error: Error & { exitCode?: number }) => {
    process.stderr.write(`[hub] ${error.message}\n`);
    process.exit(error.exitCode || 1);
  });
}

/** Where the services send spans: the OTLP endpoint the environment gave them, passed through as it is. */
function tracesLine(env: HubEnvironment): string {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return 'off (set OTEL_EXPORTER_OTLP_ENDPOINT to export OpenTelemetry spans)';
  return `OTLP ${env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf'} to ${endpoint}`;
}
