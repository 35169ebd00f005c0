/**
 * The benchmark's own hub: a dedicated broker (instance `bench`, 29092/29093), a fresh database hub_bench, the
 * three services from dist on 23000-23002 with LOG_LEVEL=warn. Nothing here touches the dev or test hubs.
 * `--port-base <b>` moves all of it, so that two working copies can run the bench at once: services on b..b+2, the
 * broker on b+6092/b+6093 (data in .hub/kafka/bench-<b>), databases hub_bench_<b> and hub_bench_<b>_audit, logs in
 * .hub/bench-<b> (the defaults are unchanged for 23000).
 */
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import {
  assertPlainHttpEnvironment,
  APPS,
  AppName,
  INSTANCES,
  kafkaClientConfig,
  kafkaEnvironment,
  migrateAll,
  PORT_OFFSET,
  portEnvironment,
  portOpen,
  ROOT,
  ServiceHandle,
  startKafka,
  startKafkaCluster,
  startService,
  stopKafka,
  waitHealthy,
} from '@hub/testing/local-hub';
import type { CleanupRegistry } from '../cleanup';
import type { BrokerFacts } from './results';
import { ensureDatabase } from '../postgres';
import type { SendCounts } from './preload/count-preload';
import { compilePreloads } from './preload/compile';

export const BENCH_DIR = path.join(ROOT, '.hub', 'bench');
const SERVER_URL = 'postgres://postgres@127.0.0.1:5432';
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
export const DEFAULT_PORT_BASE = 23000;
/** Logs, counters and the run's key: .hub/bench for the default base, .hub/bench-<base> otherwise. */
const benchDirFor = (base = DEFAULT_PORT_BASE) => (base === DEFAULT_PORT_BASE ? BENCH_DIR : `${BENCH_DIR}-${base}`);
/** Each service's port for a port base (base, base+1, base+2: the apps' order in the app table). */
const portsFrom = (base: number) =>
  Object.fromEntries(APPS.map((app) => [app, base + PORT_OFFSET[app]])) as Record<AppName, number>;
/** The broker's client and controller ports for a port base (29092/29093 for the default base). */
export const brokerPortsFrom = (base: number) => ({ port: base + 6092, controllerPort: base + 6093 });
/** The bench database of a port base: hub_bench for the default, hub_bench_<base> otherwise. */
export const databaseNameFor = (base = DEFAULT_PORT_BASE) =>
  base === DEFAULT_PORT_BASE ? 'hub_bench' : `hub_bench_${base}`;
export const databaseUrlFor = (name: string) => `${SERVER_URL}/${name}`;
export const DATABASE_URL = databaseUrlFor(databaseNameFor());

/** A fresh Ed25519 checkpoint key for this run (PKCS#8 PEM file), with its public half for `verify --public-key`. */
function benchSigningKey(dir: string): { file: string; publicFile: string; privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'audit-signing-key.pem');
  const publicFile = path.join(dir, 'audit-signing-key.pub.pem');
  fs.writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  fs.writeFileSync(publicFile, publicKey.export({ format: 'pem', type: 'spki' }));
  return { file, publicFile, privateKey };
}

/** Fails early when another process listens on one of the service ports (never touches it). */
export async function checkPorts(portBase = DEFAULT_PORT_BASE, { broker: withBroker = true } = {}): Promise<void> {
  const broker = brokerPortsFrom(portBase);
  const wanted: Record<string, number> = {
    ...portsFrom(portBase),
    ...(withBroker ? { 'bench broker': broker.port, 'bench broker controller': broker.controllerPort } : {}),
  };
  for (const [what, port] of Object.entries(wanted)) {
    if (await portOpen(port)) {
      throw new Error(
        `port ${port} (${what}) is already in use by another process; stop it or pass --port-base <another base>`,
      );
    }
  }
}

export interface BenchBroker {
  brokers: string[];
  pids: number[];
  /** With `plaintext: true` (`--compare tls`): the same broker's SASL_PLAINTEXT listener on loopback. */
  plaintextBrokers?: string[];
}

/**
 * The dedicated broker, formatted fresh; registered for cleanup before it starts. With `brokers: 3`, a 3-node KRaft
 * cluster from the same jars instead (replication factor 3, min.insync.replicas 2: the production shape), its nodes on
 * base+6100..6102 and their controllers on base+6110..6112.
 */
export async function startBroker({
  cleanup,
  portBase = DEFAULT_PORT_BASE,
  brokers = 1,
  plaintext = false,
}: {
  cleanup: CleanupRegistry;
  portBase?: number;
  brokers?: number;
  plaintext?: boolean;
}): Promise<BenchBroker> {
  // This working copy's instance (.hub/kafka/bench); another base gets its own ports and data directory, so two
  // runs with different bases never stop each other's broker.
  Object.assign(
    INSTANCES.bench,
    brokerPortsFrom(portBase),
    { plaintextPort: plaintext ? portBase + 6094 : undefined },
    portBase === DEFAULT_PORT_BASE ? {} : { dir: `${INSTANCES.bench.dir}-${portBase}` },
  );
  if (plaintext && brokers !== 1)
    throw new Error('a plaintext listener (--compare tls) is for the single bench broker');
  if (brokers === 3) {
    const cluster = await startKafkaCluster({
      dir: `${INSTANCES.bench.dir}-cluster`,
      nodes: 3,
      basePort: portBase + 6100,
      controllerBasePort: portBase + 6110,
    });
    cleanup.add('kafka cluster bench', () => cluster.stop());
    return { brokers: cluster.brokers, pids: cluster.nodes.map((node) => node.pid() as number) };
  }
  cleanup.add('broker bench', () => stopKafka('bench'));
  const kafka = await startKafka('bench', { fresh: true });
  const pid = Number(fs.readFileSync(path.join(INSTANCES.bench.dir, 'kafka.pid'), 'utf8'));
  const plaintextBrokers = plaintext ? [`127.0.0.1:${portBase + 6094}`] : undefined;
  return { brokers: kafka.brokers, pids: [pid], plaintextBrokers };
}

/**
 * Fresh database, migrations, the three services. `cleanup` is the run's cleanup registry: every service is
 * registered there as it starts, so Ctrl-C or an error stops it.
 */
export async function startHub({
  cleanup,
  log,
  kafka,
  portBase = DEFAULT_PORT_BASE,
  profileApps = [],
  profileDir = null,
  serviceEnv = null,
}: {
  cleanup: CleanupRegistry;
  log: (line: string) => void;
  kafka: BenchBroker;
  portBase?: number;
  profileApps?: AppName[];
  profileDir?: string | null;
  /** `--compare`: what one variant sets in every service (with variant-preload.ts, which reads its BENCH_* part). */
  serviceEnv?: Record<string, string> | null;
}) {
  const databaseName = databaseNameFor(portBase);
  const databaseUrl = databaseUrlFor(databaseName);

  await checkPorts(portBase, { broker: false });
  assertPlainHttpEnvironment(process.env);
  await ensureDatabase(databaseUrl, { fresh: true });
  log(`database ${databaseName} (fresh) on 127.0.0.1:5432`);
  const benchDir = benchDirFor(portBase);
  const signingKey = benchSigningKey(benchDir);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_BROKERS: kafka.brokers.join(','),
    // On a 3-node cluster the hub's topics get the production replication (as `npm run chaos` gives them).
    ...(kafka.brokers.length >= 3 ? { KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' } : {}),
    ...kafkaEnvironment(),
    DATABASE_URL: databaseUrl,
    HUB_ADMIN_KEY: ADMIN_KEY,
    ...portEnvironment(portBase),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // The limiter is a per-key policy, not a capacity: lifted so the benchmark measures the exchange itself.
    RATE_LIMIT_PER_MINUTE: '100000000',
    // The bench's own checkpoint key: the dev key in .hub/audit-signing-key.pem is neither used nor created.
    AUDIT_SIGNING_KEY_FILE: signingKey.file,
  };
  for (const name of [
    'GATEWAY_DATABASE_URL',
    'COORDINATION_DATABASE_URL',
    'AUDIT_DATABASE_URL',
    'AUDIT_SIGNING_KEY',
    'NODE_OPTIONS',
  ])
    delete env[name];
  migrateAll(env);

  const logDir = path.join(benchDir, 'logs');
  fs.rmSync(logDir, { recursive: true, force: true });
  const countDir = path.join(benchDir, 'counts');
  fs.rmSync(countDir, { recursive: true, force: true });
  fs.mkdirSync(countDir, { recursive: true });
  const preloads = compilePreloads(path.join(benchDir, 'preload'));
  const handles: ServiceHandle[] = [];
  for (const app of APPS) {
    // Every service counts its SQL statements, COMMITs and Kafka sends (count-preload.ts) for the cost table.
    const appEnv: NodeJS.ProcessEnv = {
      ...env,
      NODE_OPTIONS: `--require ${preloads.count}`,
      BENCH_COUNT_DIR: countDir,
      BENCH_COUNT_NAME: app,
    };
    if (serviceEnv) {
      Object.assign(appEnv, serviceEnv);
      appEnv.NODE_OPTIONS += ` --require ${preloads.variant}`;
    }
    if (profileDir && profileApps.includes(app)) {
      appEnv.NODE_OPTIONS += ` --require ${preloads.profile}`;
      appEnv.BENCH_PROFILE_DIR = profileDir;
      appEnv.BENCH_PROFILE_NAME = app;
    }
    const handle = startService(app, appEnv, logDir);
    cleanup.add(`service ${app}`, () => handle.stop());
    handles.push(handle);
  }
  await Promise.all(handles.map((handle) => waitHealthy(handle)));
  log(
    `services healthy: ${handles.map((h) => `${h.app} :${h.port} (pid ${h.child.pid})`).join(', ')}; logs in ${path.relative(ROOT, logDir)}`,
  );
  return {
    env,
    signingKey,
    handles,
    adminKey: ADMIN_KEY,
    databaseName,
    databaseUrl,
    auditDatabaseName: `${databaseName}_audit`,
    auditDatabaseUrl: databaseUrlFor(`${databaseName}_audit`),
    urls: Object.fromEntries(
      Object.entries(portsFrom(portBase)).map(([app, port]) => [app, `http://127.0.0.1:${port}`]),
    ) as Record<AppName, string>,
    logDir,
    preloads,
    counters: serviceCounters(countDir, APPS),
  };
}

/** The hub a run measures: its environment, services, databases, URLs and the services' send counters. */
export type BenchHub = Awaited<ReturnType<typeof startHub>>;

/** PostgreSQL settings that decide what a commit costs and how much is cached (recorded with every run). */
export async function postgresSettings(pg: Pool): Promise<Record<string, string>> {
  const names = [
    'fsync',
    'synchronous_commit',
    'shared_buffers',
    'wal_level',
    'full_page_writes',
    'commit_delay',
    'max_connections',
    'work_mem',
  ];
  const { rows } = await pg.query<{ name: string; setting: string; unit: string | null }>(
    `SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[])`,
    [names],
  );
  const settings: Record<string, string> = {};
  for (const row of rows) {
    // shared_buffers is in 8 kB pages: say it in MB.
    settings[row.name] =
      row.unit === '8kB'
        ? `${Math.round((Number(row.setting) * 8) / 1024)} MB`
        : row.unit
          ? `${row.setting} ${row.unit}`
          : row.setting;
  }
  return settings;
}

/** The broker's replication as the hub's topics got it: brokers in the cluster, replicas per partition, min ISR. */
export async function brokerFacts(brokers: string[]): Promise<BrokerFacts> {
  const admin = new Kafka({
    clientId: 'bench-broker-facts',
    ...kafkaClientConfig(brokers),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    const topics = (await admin.listTopics()).filter((t) => !t.startsWith('__') && !t.startsWith('bench.'));
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
    const replicas = [...new Set(metadata.flatMap((t) => t.partitions.map((p) => p.replicas.length)))].sort();
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: ConfigResourceTypes.BROKER,
          name: String(cluster.brokers[0].nodeId),
          configNames: ['default.replication.factor', 'min.insync.replicas'],
        },
      ],
    });
    const config = Object.fromEntries(described.resources[0].configEntries.map((e) => [e.configName, e.configValue]));
    return {
      brokers: cluster.brokers.length,
      replicationFactorOfHubTopics: replicas.join(', '),
      defaultReplicationFactor: config['default.replication.factor'],
      minInsyncReplicas: config['min.insync.replicas'],
    };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

type ServiceCounts = SendCounts;

/** Snapshots of what each service has sent so far (count-preload.ts), by app. */
export interface ServiceCounters {
  snapshot(): Promise<Record<string, ServiceCounts>>;
}

/**
 * Snapshots of what each service has sent so far (count-preload.ts): { app: { statements, commits, rollbacks,
 * produceCalls, messages, messagesByTopic } }. Rejects if a service does not answer within 5 s.
 */
function serviceCounters(dir: string, apps: readonly AppName[]): ServiceCounters {
  let sequence = 0;
  return {
    async snapshot(): Promise<Record<string, ServiceCounts>> {
      const token = `${process.pid}-${++sequence}-${Date.now()}`;
      fs.writeFileSync(path.join(dir, 'request'), token);
      const deadline = Date.now() + 5000;
      const result: Record<string, ServiceCounts> = {};
      for (const app of apps) {
        for (;;) {
          try {
            const answer = JSON.parse(fs.readFileSync(path.join(dir, `${app}.json`), 'utf8')) as {
              token: string;
              counts: ServiceCounts;
            };
            if (answer.token === token) {
              result[app] = answer.counts;
              break;
            }
          } catch {
            /* not written yet */
          }
          if (Date.now() > deadline)
            throw new Error(`${app} did not report its statement and message counts (count-preload.ts)`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      return result;
    },
  };
}
