import { ChildProcess, spawn, spawnSync, SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ROOT } from './apps';
import { ensureLocalKafkaTls, localCaFingerprint } from './kafka-tls';
import { KAFKA_ADMIN, KAFKA_PRINCIPALS, kafkaClientConfig, kafkaPassword } from './principals';
import { portOpen, sleep, waitForExit } from './processes';

/**
 * A real single-node Kafka (KRaft, broker + controller) from Apache Kafka's own jars on Maven Central, with
 * SASL/SCRAM-SHA-512 authentication inside TLS (SASL_SSL, a local CA: ./kafka-tls.ts) and ACLs
 * (docs/decisions/006-trust-model.md).
 * No Docker here, so the project fetches org.apache.kafka:kafka_2.13 with Maven and runs kafka.Kafka itself.
 */
const KAFKA_VERSION = '3.9.1';
const LIBS = path.join(ROOT, '.hub', 'kafka', 'libs');
const POM = path.join(__dirname, 'kafka', 'pom.xml');
const LOG4J = path.join(__dirname, 'kafka', 'log4j.properties');

/**
 * HUB_TEST_SLOT=n (default 0) moves a test run's ports by n*100 and gives it database hub_test_n, so that two
 * working copies on one machine can run their tests at the same time.
 */
export const TEST_SLOT = Number(process.env.HUB_TEST_SLOT || 0);

export interface BrokerInstance {
  port: number;
  controllerPort: number;
  dir: string;
  /**
   * `npm run bench -- --compare tls` only: a second, SASL_PLAINTEXT listener on loopback, so one run can measure
   * what TLS costs. No other broker the project starts has one, and the services cannot be configured to use it
   * (the bench strips TLS inside them with a preload).
   */
  plaintextPort?: number;
}

export type BrokerName = 'dev' | 'test' | 'bench';

/** Broker instances: the hub's own (npm start) and the tests' (npm test), so a test run never touches dev data. */
export const INSTANCES: Readonly<Record<BrokerName, BrokerInstance>> = {
  dev: { port: 9092, controllerPort: 9093, dir: path.join(ROOT, '.hub', 'kafka', 'dev') },
  test: {
    port: 19092 + TEST_SLOT * 100,
    controllerPort: 19093 + TEST_SLOT * 100,
    dir: path.join(ROOT, '.hub', 'kafka', 'test'),
  },
  /** npm run bench: formatted fresh each run and stopped at the end. */
  bench: { port: 29092, controllerPort: 29093, dir: path.join(ROOT, '.hub', 'kafka', 'bench') },
};

export function log(line: string): void {
  process.stdout.write(`[kafka] ${line}\n`);
}

/**
 * Listener and authorizer settings shared by the single broker and the cluster. Every listener is SASL_SSL: clients
 * (and other brokers) on CLIENT with SCRAM-SHA-512; the controller quorum on CONTROLLER with SASL/PLAIN for the admin
 * alone (SCRAM is not available there: the credentials live in the metadata the controllers serve). The keystore
 * and truststore are the local CA's PEM files; a broker dialling another (inter-broker, controller) verifies its
 * certificate and its name (127.0.0.1) like any client. ACLs are enforced by the KRaft StandardAuthorizer, with
 * nothing allowed that no ACL names.
 */
export function securityProperties({
  port,
  controllerPort,
  plaintextPort,
}: {
  port: number;
  controllerPort: number;
  plaintextPort?: number;
}): string[] {
  const admin = kafkaPassword(KAFKA_ADMIN);
  const tls = ensureLocalKafkaTls();
  const plain = plaintextPort ? `,PLAIN://127.0.0.1:${plaintextPort}` : '';
  return [
    `listeners=CLIENT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}${plain}`,
    `advertised.listeners=CLIENT://127.0.0.1:${port}${plain}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=CLIENT',
    `listener.security.protocol.map=CLIENT:SASL_SSL,CONTROLLER:SASL_SSL${plaintextPort ? ',PLAIN:SASL_PLAINTEXT' : ''}`,
    `# local CA sha256 ${localCaFingerprint()}`,
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${tls.keystore}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${tls.ca}`,
    'ssl.endpoint.identification.algorithm=https',
    'ssl.client.auth=none',
    'ssl.enabled.protocols=TLSv1.3,TLSv1.2',
    'listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    `listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${KAFKA_ADMIN}" password="${admin}";`,
    'listener.name.controller.sasl.enabled.mechanisms=PLAIN',
    'sasl.mechanism.controller.protocol=PLAIN',
    `listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${KAFKA_ADMIN}" password="${admin}" user_${KAFKA_ADMIN}="${admin}";`,
    'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    `super.users=User:${KAFKA_ADMIN}`,
    'allow.everyone.if.no.acl.found=false',
    ...(plaintextPort
      ? [
          'listener.name.plain.sasl.enabled.mechanisms=SCRAM-SHA-512',
          `listener.name.plain.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${KAFKA_ADMIN}" password="${admin}";`,
        ]
      : []),
  ];
}

/** `kafka-storage format` arguments that create every principal's SCRAM credentials in the new cluster's metadata. */
export function scramFormatArguments(): string[] {
  return KAFKA_PRINCIPALS.flatMap((user) => [
    '--add-scram',
    `SCRAM-SHA-512=[name=${user.username},password=${kafkaPassword(user.username)}]`,
  ]);
}

/** What the users were formatted with (hashed), so a broker formatted with other passwords is not silently reused. */
function principalsFingerprint(): string {
  const text = KAFKA_PRINCIPALS.map((user) => `${user.username}:${kafkaPassword(user.username)}`).join('\n');
  return createHash('sha256').update(text).digest('hex');
}

export function ensureKafkaJars(): void {
  const marker = path.join(LIBS, `kafka_2.13-${KAFKA_VERSION}.jar`);
  if (fs.existsSync(marker)) return;
  log(`fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${path.relative(ROOT, LIBS)}`);
  fs.mkdirSync(LIBS, { recursive: true });
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      POM,
      'org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies',
      `-DoutputDirectory=${LIBS}`,
      '-DincludeScope=runtime',
    ],
    { stdio: 'inherit' },
  );
  if (result.status !== 0 || !fs.existsSync(marker))
    throw new Error('could not fetch the Kafka jars with Maven (see output above)');
}

export function java(args: string[], options: SpawnSyncOptions = {}) {
  return spawnSync('java', ['-cp', `${LIBS}/*`, `-Dlog4j.configuration=file:${LOG4J}`, ...args], {
    ...options,
    encoding: 'utf8',
  });
}

export function newClusterId(): string {
  return java(['kafka.tools.StorageTool', 'random-uuid']).stdout.trim().split('\n').pop() as string;
}

export function spawnBroker(
  propsFile: string,
  logFile: string,
  heap: { min: number; max: number },
  detached: boolean,
): ChildProcess {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    'java',
    [
      `-Xms${heap.min}m`,
      `-Xmx${heap.max}m`,
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      '-cp',
      `${LIBS}/*`,
      `-Dlog4j.configuration=file:${LOG4J}`,
      'kafka.Kafka',
      propsFile,
    ],
    { detached, stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  return child;
}

function serverProperties(instance: BrokerInstance): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${instance.controllerPort}`,
    ...securityProperties(instance),
    `log.dirs=${path.join(instance.dir, 'data')}`,
    'num.partitions=3',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'log.cleaner.enable=true',
    '',
  ].join('\n');
}

/** The pid of the instance's broker if it still runs; a recycled pid (another command line) does not count. */
function readPid(instance: BrokerInstance): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(instance.dir, 'kafka.pid'), 'utf8'));
    process.kill(pid, 0);
    const commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return commandLine.includes('kafka.Kafka') ? pid : null;
  } catch {
    return null;
  }
}

/**
 * The process that started the broker with `owned: true` (npm start) and will stop it. If that process is gone
 * (killed hard, the terminal closed), nobody will ever stop the broker: the next start treats it as stale.
 */
function ownerAlive(instance: BrokerInstance): boolean {
  try {
    const owner = Number(fs.readFileSync(path.join(instance.dir, 'owner.pid'), 'utf8'));
    if (owner === process.pid) return true;
    process.kill(owner, 0);
    return true;
  } catch (error) {
    // No owner file: started on its own (npm run kafka -- start) and meant to outlive us.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Waits until the broker answers a metadata request (not just until its port opens). */
export async function waitForBroker(brokers: string[], timeoutMs = 90000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: Error | null = null;
  while (Date.now() < deadline) {
    const admin = new Kafka({
      clientId: 'hub-wait',
      ...kafkaClientConfig(brokers),
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      await admin.disconnect();
      if (cluster.brokers.length > 0 && cluster.controller !== null) return;
    } catch (error) {
      lastError = error as Error;
      await admin.disconnect().catch(() => undefined);
    }
    await sleep(500);
  }
  throw new Error(`Kafka at ${brokers.join(',')} did not answer within ${timeoutMs} ms: ${lastError?.message}`);
}

/** A local broker as startKafka returns it: `started` when this call started it (and stop() stops it). */
export interface LocalBroker {
  brokers: string[];
  started: boolean;
  pid?: number;
  stop(): Promise<void>;
}

/** Starts the named local broker (reusing one already running unless `fresh`). */
export async function startKafka(
  name: BrokerName = 'dev',
  { fresh = false, owned = false }: { fresh?: boolean; owned?: boolean } = {},
): Promise<LocalBroker> {
  const instance = INSTANCES[name];
  if (!instance) throw new Error(`unknown broker instance ${name}`);
  const brokers = [`127.0.0.1:${instance.port}`];
  const fingerprintFile = path.join(instance.dir, 'principals.sha256');
  const formatted = fs.existsSync(path.join(instance.dir, 'data', 'meta.properties'));
  if (
    formatted &&
    !fresh &&
    (!fs.existsSync(fingerprintFile) || fs.readFileSync(fingerprintFile, 'utf8') !== principalsFingerprint())
  ) {
    throw new Error(
      `the broker data in ${path.relative(ROOT, instance.dir)} was formatted without the Kafka users and passwords of this ` +
        `environment (made before Kafka authentication, or a *_KAFKA_PASSWORD changed). Stop it (npm run kafka -- stop) and ` +
        `delete that folder to start a new local broker, or set KAFKA_BROKERS to use another cluster`,
    );
  }
  let running = readPid(instance);
  if (running && !ownerAlive(instance)) {
    log(`broker ${name} (pid ${running}) was left running by a run that is gone; stopping it`);
    await stopKafka(name);
    running = null;
  }
  const propsFile = path.join(instance.dir, 'server.properties');
  const properties = serverProperties(instance);
  if (running && !fresh && (!fs.existsSync(propsFile) || fs.readFileSync(propsFile, 'utf8') !== properties)) {
    // Started with other settings (before TLS, or with another local CA): its clients could not connect.
    log(`broker ${name} (pid ${running}) runs with other settings (listeners, CA); restarting it`);
    await stopKafka(name);
    running = null;
  }
  if (running && !fresh) {
    await waitForBroker(brokers);
    log(`reusing broker ${name} (pid ${running}) on ${brokers[0]}`);
    return { brokers, started: false, pid: running, stop: async () => undefined };
  }
  if (running) await stopKafka(name);
  if (await portOpen(instance.port)) {
    throw new Error(
      `port ${instance.port} is taken by another process; stop it or set KAFKA_BROKERS to use that broker`,
    );
  }
  ensureKafkaJars();
  if (fresh) fs.rmSync(instance.dir, { recursive: true, force: true });
  fs.mkdirSync(instance.dir, { recursive: true });
  fs.writeFileSync(propsFile, properties);
  if (!fs.existsSync(path.join(instance.dir, 'data', 'meta.properties'))) {
    const format = java([
      'kafka.tools.StorageTool',
      'format',
      '-t',
      newClusterId(),
      '-c',
      propsFile,
      '--ignore-formatted',
      ...scramFormatArguments(),
    ]);
    if (format.status !== 0) throw new Error(`kafka storage format failed: ${format.stderr || format.stdout}`);
    fs.writeFileSync(fingerprintFile, principalsFingerprint());
  }
  const child = spawnBroker(propsFile, path.join(instance.dir, 'kafka.log'), { min: 256, max: 768 }, true);
  child.unref();
  fs.writeFileSync(path.join(instance.dir, 'kafka.pid'), String(child.pid));
  if (owned) fs.writeFileSync(path.join(instance.dir, 'owner.pid'), String(process.pid));
  else fs.rmSync(path.join(instance.dir, 'owner.pid'), { force: true });
  log(
    `started broker ${name} (pid ${child.pid}) on ${brokers[0]}, log ${path.relative(ROOT, path.join(instance.dir, 'kafka.log'))}`,
  );
  await waitForBroker(brokers);
  return { brokers, started: true, pid: child.pid, stop: () => stopKafka(name) };
}

/** Stops the named local broker cleanly (SIGTERM, then SIGKILL after 30 s). */
export async function stopKafka(name: BrokerName = 'dev'): Promise<void> {
  const instance = INSTANCES[name];
  const pid = readPid(instance);
  if (!pid) return;
  process.kill(pid, 'SIGCONT'); // a frozen broker (the chaos run's SIGSTOP) cannot act on SIGTERM
  process.kill(pid, 'SIGTERM');
  await waitForExit(pid, 30000);
  fs.rmSync(path.join(instance.dir, 'kafka.pid'), { force: true });
  fs.rmSync(path.join(instance.dir, 'owner.pid'), { force: true });
  log(`stopped broker ${name} (pid ${pid})`);
}

/** Last resort when our process is exiting and cannot wait: asks the broker to stop, without waiting. */
export function signalKafkaStop(name: BrokerName = 'dev'): void {
  const pid = readPid(INSTANCES[name]);
  if (pid) process.kill(pid, 'SIGTERM');
}
