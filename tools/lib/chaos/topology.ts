import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import {
  assertPlainHttpEnvironment,
  APPS,
  AppName,
  BrokerCluster,
  kafkaEnvironment,
  migrateAll,
  PORT_VARIABLE,
  ROOT,
  ServiceHandle,
  startKafkaCluster,
  startService,
  waitHealthy,
} from '@hub/testing/local-hub';
import { createClient } from '../bench/http';
import type { CleanupRegistry } from '../cleanup';
import { ensureDatabase } from '../postgres';
import { CHAOS_DIR, DATABASE, DATABASE_URL, log, sleep, until } from './common';
import type { ChaosAgency } from './load';

const ADMIN_KEY = 'chaos-admin-key-0123456789abcdef';
/** Replica r of the app at index i of the app table listens on PORT_BASE + 3r + i. */
export const PORT_BASE = 23100;
const BROKER_PORT = 29192;
const CONTROLLER_PORT = 29195;

/** One replica of a service, restartable on its own port. */
export interface Replica {
  app: AppName;
  name: string;
  port: number;
  url: string;
  handle: ServiceHandle | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The hub in its production shape: the cluster, the database, two replicas of each service, the agencies. */
export interface Topology {
  cluster: BrokerCluster;
  replicas: Replica[];
  agencies: ChaosAgency[];
  auditorKey: string;
  gateways: string[];
  audits: string[];
  publicKeyFile: string;
  /** Runs `work` on a connection to the server's maintenance database, as its owner. */
  owner<T>(work: (client: Client) => Promise<T>): Promise<T>;
}

/** The two replicas of every service, each restartable on its own port. */
function replicaSet(env: NodeJS.ProcessEnv, logRoot: string): Replica[] {
  return APPS.flatMap((app, index) =>
    [0, 1].map((r) => {
      const port = PORT_BASE + 3 * r + index;
      const replica: Replica = {
        app,
        name: `${app}#${r + 1}`,
        port,
        url: `http://127.0.0.1:${port}`,
        handle: null,
        start: () => {
          const handle = startService(
            app,
            { ...env, [PORT_VARIABLE[app]]: String(port) },
            path.join(logRoot, `replica-${r + 1}`),
          );
          replica.handle = handle;
          return waitHealthy(handle, 120_000);
        },
        stop: async () => replica.handle?.stop(),
      };
      return replica;
    }),
  );
}

/** A fresh Ed25519 checkpoint key for the run, and its public half for `verify --public-key`. */
function signingKeyFiles(): { signingKeyFile: string; publicKeyFile: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signingKeyFile = path.join(CHAOS_DIR, 'audit-signing-key.pem');
  const publicKeyFile = path.join(CHAOS_DIR, 'audit-signing-key.pub.pem');
  fs.writeFileSync(signingKeyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  fs.writeFileSync(publicKeyFile, publicKey.export({ format: 'pem', type: 'spki' }));
  return { signingKeyFile, publicKeyFile };
}

/** The 3-node cluster, the fresh database, the six replicas (each registered for cleanup), then the agencies. */
export async function startTopology(logLevel: string, cleanup: CleanupRegistry): Promise<Topology> {
  assertPlainHttpEnvironment(process.env);
  fs.mkdirSync(CHAOS_DIR, { recursive: true });
  const cluster = await startKafkaCluster({
    dir: path.join(ROOT, '.hub', 'kafka', 'chaos'),
    nodes: 3,
    basePort: BROKER_PORT,
    controllerBasePort: CONTROLLER_PORT,
  });
  cleanup.add('kafka cluster', () => cluster.stop());
  await ensureDatabase(DATABASE_URL, { fresh: true });
  const owner = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  cleanup.add('database connections allowed', () =>
    owner((c) => c.query(`ALTER DATABASE ${DATABASE} ALLOW_CONNECTIONS true`)),
  );
  const { signingKeyFile, publicKeyFile } = signingKeyFiles();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_BROKERS: cluster.brokers.join(','),
    KAFKA_REPLICATION_FACTOR: '3',
    KAFKA_MIN_INSYNC_REPLICAS: '2',
    ...kafkaEnvironment(),
    DATABASE_URL,
    HUB_ADMIN_KEY: ADMIN_KEY,
    HOST: '127.0.0.1',
    LOG_LEVEL: logLevel,
    RATE_LIMIT_PER_MINUTE: '100000000',
    AUDIT_SIGNING_KEY_FILE: signingKeyFile,
    ...Object.fromEntries(APPS.map((app, index) => [PORT_VARIABLE[app], String(PORT_BASE + index)])),
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
  const logRoot = path.join(CHAOS_DIR, 'logs');
  fs.rmSync(logRoot, { recursive: true, force: true });
  const replicas = replicaSet(env, logRoot);
  for (const replica of replicas) cleanup.add(`service ${replica.name}`, () => replica.stop());
  // All six at once on a fresh cluster: they race to create the same topics, which must not cost any of them its boot.
  await Promise.all(replicas.map((r) => r.start()));
  log(
    `hub up: ${replicas.map((r) => `${r.name} :${r.port}`).join(', ')}; brokers ${cluster.brokers.join(',')}; database ${DATABASE}`,
  );
  const gateways = replicas.filter((r) => r.app === 'agency-gateway').map((r) => r.url);
  const { agencies, auditorKey } = await enrolAgencies(gateways);
  const audits = replicas.filter((r) => r.app === 'audit-log').map((r) => r.url);
  return { cluster, replicas, agencies, auditorKey, gateways, audits, publicKeyFile, owner };
}

/** Agencies: four national ones that send and receive, one that only receives, and the regional centre, which also holds the auditor key. */
const CHAOS_AGENCIES: readonly [id: string, kind: 'national-agency' | 'regional-centre', sends: boolean][] = [
  ['TJ-DCA', 'national-agency', true],
  ['KG-BS', 'national-agency', true],
  ['KZ-CUS', 'national-agency', true],
  ['UZ-NIC', 'national-agency', true],
  ['TM-BS', 'national-agency', false],
  ['CARICC', 'regional-centre', false],
];

/** Creates the agencies and their keys on the first gateway, then waits until every gateway knows every key. */
async function enrolAgencies(gateways: string[]): Promise<{ agencies: ChaosAgency[]; auditorKey: string }> {
  const adminClient = createClient(gateways[0]);
  // Set-up requests are retried like any careful client's: a fresh cluster still moves its group coordinators.
  const admin = async (method: string, urlPath: string, body: unknown) => {
    let response: { status: number; body: any } = { status: 0, body: null };
    for (let attempt = 0; attempt < 60; attempt++) {
      response = await adminClient
        .request(method, urlPath, { key: ADMIN_KEY, body })
        .catch(() => ({ status: 0, body: null }));
      if (response.status !== 0 && response.status !== 409 && response.status < 500) return response;
      await sleep(1000);
    }
    return response;
  };
  const agencies: ChaosAgency[] = [];
  for (const [id, kind, sends] of CHAOS_AGENCIES) {
    const created = await admin('POST', '/v1/admin/agencies', {
      id,
      name: id,
      country: id === 'CARICC' ? 'KZ' : id.slice(0, 2),
      kind,
    });
    if (created.status !== 201)
      throw new Error(`create agency ${id}: ${created.status} ${JSON.stringify(created.body)}`);
    const key = await admin('POST', `/v1/admin/agencies/${id}/keys`, { role: 'agency' });
    agencies.push({ id, key: key.body.key, sends });
  }
  const auditorKey: string = (await admin('POST', '/v1/admin/agencies/CARICC/keys', { role: 'auditor' })).body.key;
  adminClient.close();
  for (const gateway of gateways) {
    const client = createClient(gateway);
    for (const agency of agencies) {
      if (
        !(await until(
          async () => (await client.request('GET', '/v1/inbox?limit=1', { key: agency.key })).status === 200,
        ))
      )
        throw new Error(`${agency.id}'s key unknown at ${gateway}`);
    }
    client.close();
  }
  return { agencies, auditorKey };
}
