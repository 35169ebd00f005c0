'use strict';
/**
 * npm run chaos [-- --hold 15 --clients 6 --keep]
 *
 * The hub in its production shape, on this machine and on loopback only: a 3-node KRaft cluster (29192-29194,
 * replication factor 3, min.insync.replicas 2), a fresh database hub_chaos, two replicas of every service
 * (23100-23105), and a steady mixed load (restricted, RED and regional alerts, updates, cancels, acks, an inbox
 * stream per agency, clients that retry with the same Idempotency-Key on another gateway replica). One fault at a
 * time, held `--hold` seconds, then healed: kill -9 of each service replica, kill -9 of a partition leader broker,
 * a broker frozen with SIGSTOP, the database refusing and dropping the hub's connections, a poison message on each
 * exchange topic. Then the invariants (exactly once per entitled recipient, nothing to anyone else, retries got the
 * original 202, every audit fact once, verify against a checkpoint saved before the first fault, poison messages
 * dead-lettered with their origin and their partitions moving on), figures per fault, chaos-results/<ts>.json.
 * Exit 1 when an invariant fails. Stops everything it started, also on Ctrl-C.
 */
const { randomUUID } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { cleanupRegistry } = require('./cleanup');
const { createClient, openEventStream } = require('./bench/http');

const ROOT = path.resolve(__dirname, '..', '..');
const CHAOS_DIR = path.join(ROOT, '.hub', 'chaos');
const RESULTS_DIR = path.join(ROOT, 'chaos-results');
const DATABASE = 'hub_chaos';
const DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${DATABASE}`;
const ADMIN_KEY = 'chaos-admin-key-0123456789abcdef';
const PORT_BASE = 23100; // replica r of app i listens on PORT_BASE + 3r + i
const BROKER_PORT = 29192;
const CONTROLLER_PORT = 29195;
const DRAIN_LIMIT_MS = 180_000;
const RUN_LIMIT_MS = Number(process.env.CHAOS_RUN_LIMIT_MS || 20 * 60 * 1000);
const APPS = ['agency-gateway', 'coordination-node', 'audit-log'];
const PORT_VARIABLE = { 'agency-gateway': 'GATEWAY_PORT', 'coordination-node': 'COORDINATION_PORT', 'audit-log': 'AUDIT_PORT' };

const started = Date.now();
function log(line) {
  process.stdout.write(`[chaos ${Math.round((Date.now() - started) / 1000)}s] ${line}\n`);
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check, { timeoutMs = 60_000, intervalMs = 500 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}

function parseArgs(argv) {
  const options = { hold: 15, clients: 6, keep: false, faults: [], repeat: 1, logLevel: 'warn' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--hold') options.hold = Number(argv[++i]);
    else if (argv[i] === '--clients') options.clients = Number(argv[++i]);
    else if (argv[i] === '--keep') options.keep = true;
    else if (argv[i] === '--faults') options.faults = argv[++i].split(',').filter(Boolean);
    else if (argv[i] === '--repeat') options.repeat = Number(argv[++i]);
    else if (argv[i] === '--log-level') options.logLevel = argv[++i];
    else throw new Error(`unknown option ${argv[i]} (npm run chaos -- [--hold 15] [--clients 6] [--faults broker,database] [--repeat 1] [--log-level debug] [--keep])`);
  }
  return options;
}

function rssMb(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** The two replicas of every service, each restartable on its own port. */
function replicaSet(env, logRoot) {
  const services = require('@hub/testing/local-hub');
  const replicas = [];
  APPS.forEach((app, index) => {
    for (const r of [0, 1]) {
      const port = PORT_BASE + 3 * r + index;
      const replica = { app, name: `${app}#${r + 1}`, port, url: `http://127.0.0.1:${port}`, handle: null };
      replica.start = () => {
        replica.handle = services.startService(app, { ...env, [PORT_VARIABLE[app]]: String(port) }, path.join(logRoot, `replica-${r + 1}`));
        return services.waitHealthy(replica.handle, 120_000);
      };
      replica.stop = () => (replica.handle ? replica.handle.stop() : undefined);
      replicas.push(replica);
    }
  });
  return replicas;
}

/**
 * The load and its ledger: every alert version a client was promised (202), whom it is for, every delivery seen on
 * the streams, every status with its time.
 */
function createLoad({ gateways, agencies, clients }) {
  const http = gateways.map((url) => createClient(url, { maxSockets: 64 }));
  const ledger = { alerts: new Map(), submissions: [], acks: [], statuses: [], streamed: new Map(), retriedTo202: 0 };
  let stopping = false;
  const senders = agencies.filter((a) => a.sends);

  async function request(method, urlPath, { key, body, headers }, { gatewayIndex }) {
    const at = Date.now();
    let response;
    try {
      response = await http[gatewayIndex % http.length].request(method, urlPath, { key, body, headers, timeoutMs: 10_000 });
    } catch {
      response = { status: 0, body: null };
    }
    ledger.statuses.push({ at, status: response.status });
    return response;
  }
  const retryable = (status) => status === 0 || status === 409 || status === 429 || status >= 500;

  /** Submits until 202, switching gateway replica on every retry, with the same Idempotency-Key and body. */
  async function submit(sender, body, n) {
    const idempotencyKey = randomUUID();
    let backoff = 100;
    for (let attempt = 0; attempt < 200; attempt++) {
      const response = await request('POST', '/v1/alerts', { key: sender.key, body, headers: { 'idempotency-key': idempotencyKey } }, { gatewayIndex: n + attempt });
      if (response.status === 202) {
        if (attempt > 0) ledger.retriedTo202++;
        ledger.submissions.push({ idempotencyKey, body, response: response.body, sender });
        return response.body;
      }
      if (!retryable(response.status)) throw new Error(`submission refused ${response.status} ${JSON.stringify(response.body)}`);
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 2000);
    }
    throw new Error('submission never accepted');
  }

  /** An update or cancel: on an ambiguous answer followed by 409, the sender's view tells whether it took effect. */
  async function change(sender, alert, kind, n) {
    const body = kind === 'update' ? { ...alert.body, headline: `${alert.body.headline} (upd)`.slice(0, 160), baseVersion: alert.version } : { reason: 'Cleared after inspection' };
    const urlPath = kind === 'update' ? `/v1/alerts/${alert.alertId}/versions` : `/v1/alerts/${alert.alertId}/cancel`;
    let ambiguous = false;
    let backoff = 100;
    for (let attempt = 0; attempt < 200; attempt++) {
      const response = await request('POST', urlPath, { key: sender.key, body }, { gatewayIndex: n + attempt });
      if (response.status === 202) return response.body.version;
      if (response.status === 409 && ambiguous) {
        const view = await request('GET', `/v1/alerts/${alert.alertId}`, { key: sender.key }, { gatewayIndex: n + attempt + 1 });
        if (view.status === 200 && view.body.version === alert.version + 1) return view.body.version;
      }
      if (response.status === 0 || response.status >= 500) ambiguous = true;
      else if (!retryable(response.status)) throw new Error(`${kind} refused ${response.status} ${JSON.stringify(response.body)}`);
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 2000);
    }
    throw new Error(`${kind} never accepted`);
  }

  let seq = 0;
  function newAlertBody(sender) {
    const others = agencies.filter((a) => a.id !== sender.id);
    const roll = seq++ % 10;
    const pick = (count) => others.slice().sort(() => Math.random() - 0.5).slice(0, count).map((a) => a.id);
    const base = {
      status: 'exercise', category: 'suspicious-shipment', urgency: 'expected', severity: 'moderate', certainty: 'likely',
      headline: `Chaos ${randomUUID().slice(0, 8)}`, description: 'Chaos run traffic.', handlingCode: 'H1',
      evaluation: { source: 'B', information: 2 }, location: { country: sender.id.slice(0, 2), place: 'Border post' },
      subjects: [{ type: 'consignment', substance: 'heroin', quantityKg: 1 + (seq % 50) }], references: [],
    };
    if (roll < 3) return { body: { ...base, tlp: 'GREEN', distribution: { scope: 'regional', recipients: [], sharingGroups: [] } }, recipients: others.map((a) => a.id) };
    const recipients = pick(roll < 5 ? 1 : 2);
    const tlp = roll < 5 ? 'RED' : 'AMBER';
    return { body: { ...base, tlp, distribution: { scope: 'restricted', recipients, sharingGroups: [] } }, recipients };
  }

  async function client(n) {
    while (!stopping) {
      const sender = senders[n % senders.length];
      const own = [...ledger.alerts.values()].filter((a) => a.sender === sender.id && !a.cancelled && !a.busy);
      const roll = Math.random();
      try {
        if (roll < 0.15 && own.length) {
          const alert = own[Math.floor(Math.random() * own.length)];
          alert.busy = true;
          const version = await change(sender, alert, 'update', n);
          alert.versions.push({ version, kind: 'update' });
          alert.version = version;
          alert.busy = false;
        } else if (roll < 0.22 && own.length) {
          const alert = own[Math.floor(Math.random() * own.length)];
          alert.busy = true;
          const version = await change(sender, alert, 'cancel', n);
          alert.versions.push({ version, kind: 'cancel' });
          alert.version = version;
          alert.cancelled = true;
        } else {
          const { body, recipients } = newAlertBody(sender);
          const accepted = await submit(sender, body, n);
          ledger.alerts.set(accepted.alertId, { alertId: accepted.alertId, sender: sender.id, recipients, body, version: 1, versions: [{ version: 1, kind: 'alert' }], acceptedAt: Date.now() });
        }
      } catch (error) {
        log(`client ${n}: ${error.message}`);
      }
      await sleep(300);
    }
  }

  /** One stream per agency; on loss it reconnects to the other gateway replica from Last-Event-ID. */
  const streams = agencies.map((agency, index) => {
    const state = { lastId: null, reconnects: 0, stream: null, duplicates: 0 };
    const seen = new Set();
    ledger.streamed.set(agency.id, seen);
    const connect = (attempt) => {
      if (stopping) return;
      const onEvent = (_event, data, _arrived, id) => {
        if (id) state.lastId = id;
        if (!data || !data.alertId) return;
        const deliveryKey = `${data.alertId}:${data.version}`;
        if (seen.has(deliveryKey)) state.duplicates++;
        seen.add(deliveryKey);
        if (data.kind === 'alert' && Math.random() < 0.5) {
          void request('POST', `/v1/alerts/${data.alertId}/ack`, { key: agency.key, body: { version: data.version, status: 'received' } }, { gatewayIndex: attempt }).then((r) => {
            if (r.status === 202) ledger.acks.push({ alertId: data.alertId, version: data.version, agency: agency.id });
          });
        }
      };
      let retried = false;
      const retry = () => {
        if (retried || stopping) return;
        retried = true;
        state.reconnects++;
        state.stream?.close();
        setTimeout(() => connect(attempt + 1), 1000);
      };
      state.stream = openEventStream(gateways[(index + attempt) % gateways.length], '/v1/inbox/stream', agency.key, onEvent, {
        onError: retry,
        headers: state.lastId ? { 'last-event-id': state.lastId } : {},
      });
      state.stream.ready.catch(retry);
    };
    connect(0);
    return state;
  });

  const running = Promise.all(Array.from({ length: clients }, (_, n) => client(n)));
  return {
    ledger,
    streams,
    /** Alert versions accepted, and each (alert, version, recipient) delivery they owe. */
    expected() {
      const deliveries = [];
      for (const alert of ledger.alerts.values()) for (const v of alert.versions) for (const r of alert.recipients) deliveries.push({ alertId: alert.alertId, version: v.version, kind: v.kind, recipient: r });
      return deliveries;
    },
    notYetStreamed() {
      return this.expected().filter((d) => !ledger.streamed.get(d.recipient).has(`${d.alertId}:${d.version}`));
    },
    async stop() {
      stopping = true;
      await running;
      for (const s of streams) s.stream?.close();
      for (const c of http) c.close();
    },
  };
}

async function runChaos(argv) {
  const options = parseArgs(argv);
  const cleanup = cleanupRegistry();
  const onSignal = () => void cleanup.run().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const watchdog = setTimeout(() => {
    process.stderr.write('[chaos] run limit reached; stopping\n');
    onSignal();
  }, RUN_LIMIT_MS);
  watchdog.unref();
  let failed = false;
  try {
    failed = !(await chaos(options, cleanup));
  } finally {
    if (!options.keep) await cleanup.run();
    clearTimeout(watchdog);
  }
  if (failed) {
    process.stderr.write('[chaos] INVARIANTS FAILED (see above)\n');
    process.exit(1);
  }
}

async function chaos(options, cleanup) {
  const { startKafkaCluster, kafkaClientConfig, kafkaEnvironment } = require('@hub/testing/local-hub');
  const { AUDIT_TOPICS } = require('@hub/contracts/topics');
  const { ensureDatabase } = require('./postgres.ts');
  const services = require('@hub/testing/local-hub');
  const { Client } = require('pg');
  const { Kafka, logLevel } = require('kafkajs');

  fs.mkdirSync(CHAOS_DIR, { recursive: true });
  const cluster = await startKafkaCluster({ dir: path.join(ROOT, '.hub', 'kafka', 'chaos'), nodes: 3, basePort: BROKER_PORT, controllerBasePort: CONTROLLER_PORT });
  cleanup.add('kafka cluster', () => cluster.stop());
  await ensureDatabase(DATABASE_URL, { fresh: true });
  const owner = async (work) => {
    const client = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  cleanup.add('database connections allowed', () => owner((c) => c.query(`ALTER DATABASE ${DATABASE} ALLOW_CONNECTIONS true`)));
  const { generateKeyPairSync } = require('node:crypto');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signingKeyFile = path.join(CHAOS_DIR, 'audit-signing-key.pem');
  const publicKeyFile = path.join(CHAOS_DIR, 'audit-signing-key.pub.pem');
  fs.writeFileSync(signingKeyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  fs.writeFileSync(publicKeyFile, publicKey.export({ format: 'pem', type: 'spki' }));
  const env = {
    ...process.env,
    KAFKA_BROKERS: cluster.brokers.join(','),
    KAFKA_REPLICATION_FACTOR: '3',
    KAFKA_MIN_INSYNC_REPLICAS: '2',
    ...kafkaEnvironment(),
    DATABASE_URL,
    HUB_ADMIN_KEY: ADMIN_KEY,
    HOST: '127.0.0.1',
    LOG_LEVEL: options.logLevel,
    RATE_LIMIT_PER_MINUTE: '100000000',
    AUDIT_SIGNING_KEY_FILE: signingKeyFile,
    GATEWAY_PORT: String(PORT_BASE),
    COORDINATION_PORT: String(PORT_BASE + 1),
    AUDIT_PORT: String(PORT_BASE + 2),
  };
  for (const name of ['GATEWAY_DATABASE_URL', 'COORDINATION_DATABASE_URL', 'AUDIT_DATABASE_URL', 'AUDIT_SIGNING_KEY', 'NODE_OPTIONS']) delete env[name];
  services.migrateAll(env);
  const logRoot = path.join(CHAOS_DIR, 'logs');
  fs.rmSync(logRoot, { recursive: true, force: true });
  const replicas = replicaSet(env, logRoot);
  for (const replica of replicas) cleanup.add(`service ${replica.name}`, () => replica.stop());
  // All six at once on a fresh cluster: they race to create the same topics, which must not cost any of them its boot.
  await Promise.all(replicas.map((r) => r.start()));
  log(`hub up: ${replicas.map((r) => `${r.name} :${r.port}`).join(', ')}; brokers ${cluster.brokers.join(',')}; database ${DATABASE}`);

  // Agencies: five national ones that send and receive, and the regional centre, which also holds the auditor key.
  const adminClient = createClient(`http://127.0.0.1:${PORT_BASE}`);
  // Set-up requests are retried like any careful client's: a fresh cluster still moves its group coordinators.
  const admin = {
    async request(...args) {
      let response;
      for (let attempt = 0; attempt < 60; attempt++) {
        response = await adminClient.request(...args).catch(() => ({ status: 0, body: null }));
        if (response.status !== 0 && response.status !== 409 && response.status < 500) return response;
        await sleep(1000);
      }
      return response;
    },
    close: () => adminClient.close(),
  };
  const agencies = [];
  for (const [id, kind, sends] of [['TJ-DCA', 'national-agency', true], ['KG-BS', 'national-agency', true], ['KZ-CUS', 'national-agency', true], ['UZ-NIC', 'national-agency', true], ['TM-BS', 'national-agency', false], ['CARICC', 'regional-centre', false]]) {
    const created = await admin.request('POST', '/v1/admin/agencies', { key: ADMIN_KEY, body: { id, name: id, country: id === 'CARICC' ? 'KZ' : id.slice(0, 2), kind } });
    if (created.status !== 201) throw new Error(`create agency ${id}: ${created.status} ${JSON.stringify(created.body)}`);
    const key = await admin.request('POST', `/v1/admin/agencies/${id}/keys`, { key: ADMIN_KEY, body: { role: 'agency' } });
    agencies.push({ id, key: key.body.key, sends });
  }
  const auditorKey = (await admin.request('POST', '/v1/admin/agencies/CARICC/keys', { key: ADMIN_KEY, body: { role: 'auditor' } })).body.key;
  const gateways = replicas.filter((r) => r.app === 'agency-gateway').map((r) => r.url);
  for (const gateway of gateways) {
    const client = createClient(gateway);
    for (const agency of agencies) {
      if (!(await until(async () => (await client.request('GET', '/v1/inbox?limit=1', { key: agency.key })).status === 200))) throw new Error(`${agency.id}'s key unknown at ${gateway}`);
    }
    client.close();
  }
  admin.close();
  const audits = replicas.filter((r) => r.app === 'audit-log').map((r) => r.url);

  const load = createLoad({ gateways, agencies, clients: options.clients });
  cleanup.add('load', () => load.stop());
  await until(async () => load.ledger.alerts.size >= 40, { timeoutMs: 120_000 });
  log(`load under way: ${load.ledger.alerts.size} alerts accepted`);

  const checkpointFile = path.join(CHAOS_DIR, 'checkpoint.json');
  fs.rmSync(checkpointFile, { force: true });
  const verify = (extra) =>
    spawnSync(process.execPath, [path.join(ROOT, 'dist', 'apps', 'audit-log', 'main.js'), 'verify', '--url', audits[0], '--key', auditorKey, '--public-key', publicKeyFile, ...extra], { encoding: 'utf8' });
  const saved = verify(['--save-checkpoint', checkpointFile]);
  if (saved.status !== 0) throw new Error(`verify before the faults failed: ${saved.stdout}${saved.stderr}`);
  log(`checkpoint saved before the first fault: ${saved.stdout.trim().split('\n').pop()}`);

  const kafka = new Kafka({ clientId: 'chaos', ...kafkaClientConfig(cluster.brokers), logLevel: logLevel.NOTHING });
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  cleanup.add('kafka admin', () => kafkaAdmin.disconnect());
  const producer = kafka.producer();
  await producer.connect();
  cleanup.add('kafka producer', () => producer.disconnect());

  const hold = options.hold * 1000;
  const faults = [];
  for (const replica of replicas) {
    faults.push({
      name: `kill -9 ${replica.name}`,
      inject: async () => replica.handle.child.kill('SIGKILL'),
      heal: async () => {
        await replica.handle.exited;
        await replica.start();
      },
    });
  }
  let leaderNode = null;
  faults.push({
    name: 'kill -9 the leader broker of alerts.submitted/0',
    inject: async () => {
      const metadata = await kafkaAdmin.fetchTopicMetadata({ topics: ['alerts.submitted.v1'] });
      leaderNode = metadata.topics[0].partitions.find((p) => p.partitionId === 0).leader;
      cluster.kill(leaderNode, 'SIGKILL');
      return `node ${leaderNode}`;
    },
    heal: async () => cluster.start(leaderNode),
  });
  let frozenNode = null;
  faults.push({
    name: 'SIGSTOP a broker (the leader of alerts.routed/0)',
    inject: async () => {
      const metadata = await kafkaAdmin.fetchTopicMetadata({ topics: ['alerts.routed.v1'] });
      frozenNode = metadata.topics[0].partitions.find((p) => p.partitionId === 0).leader;
      cluster.kill(frozenNode, 'SIGSTOP');
      return `node ${frozenNode}`;
    },
    heal: async () => cluster.kill(frozenNode, 'SIGCONT'),
  });
  faults.push({
    name: 'database: hub connections terminated, new ones refused',
    inject: () =>
      owner(async (c) => {
        await c.query(`ALTER DATABASE ${DATABASE} ALLOW_CONNECTIONS false`);
        await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [DATABASE]);
      }),
    heal: () => owner((c) => c.query(`ALTER DATABASE ${DATABASE} ALLOW_CONNECTIONS true`)),
  });
  const poisons = [];
  faults.push({
    name: 'a poison message on each exchange topic (partition 0)',
    inject: async () => {
      for (const topic of ['alerts.submitted.v1', 'alerts.routed.v1', AUDIT_TOPICS[0]]) {
        const [meta] = await producer.send({ topic, acks: -1, messages: [{ key: 'chaos-poison', value: `{not json: chaos poison ${randomUUID()}`, partition: 0 }] });
        poisons.push({ topic, partition: 0, offset: meta.baseOffset });
      }
      return poisons.map((p) => `${p.topic}@${p.offset}`).join(' ');
    },
    heal: async () => undefined,
    holdMs: 0,
  });

  // --faults broker,poison: only the faults whose name contains one of the words (the run's invariants are the same).
  // --repeat N: the selected sequence N times over (an intermittent fault needs many tries).
  const chosen = options.faults.length ? faults.filter((f) => options.faults.some((word) => f.name.includes(word))) : faults;
  if (chosen.length === 0) throw new Error(`no fault matches --faults ${options.faults.join(',')}`);
  const selected = Array.from({ length: options.repeat }, () => chosen).flat();
  const results = [];
  const sampleRss = () => {
    const byApp = {};
    for (const r of replicas) byApp[r.app] = Math.max(byApp[r.app] || 0, r.handle ? rssMb(r.handle.child.pid) : 0);
    return byApp;
  };
  for (const fault of selected) {
    const inFlight = load.notYetStreamed();
    const pending = new Set(inFlight.map((d) => `${d.recipient}|${d.alertId}:${d.version}`));
    const t0 = Date.now();
    const injected = await fault.inject();
    const detail = typeof injected === 'string' ? injected : null;
    log(`FAULT ${fault.name}${detail ? ` (${detail})` : ''}; ${inFlight.length} deliveries in flight`);
    // Watched from the fault on, not from the heal: with a second replica the in-flight work may well be delivered
    // while the fault still holds. RSS is sampled from the heal on, while the backlog drains.
    const peak = {};
    let drainedAt = null;
    let healed = false;
    let sampling = false;
    const watched = until(
      async () => {
        if (sampling) for (const [app, mb] of Object.entries(sampleRss())) peak[app] = Math.max(peak[app] || 0, mb);
        for (const key of pending) {
          const [recipient, delivery] = key.split('|');
          if (load.ledger.streamed.get(recipient).has(delivery)) pending.delete(key);
        }
        if (pending.size === 0 && drainedAt === null) drainedAt = Date.now();
        return drainedAt !== null && healed && replicas.every((r) => r.handle.child.exitCode === null);
      },
      { timeoutMs: (fault.holdMs ?? hold) + DRAIN_LIMIT_MS, intervalMs: 1000 },
    );
    await sleep(fault.holdMs ?? hold);
    const healStarted = Date.now();
    sampling = true;
    await fault.heal();
    healed = true;
    log(`healed ${fault.name}`);
    const drained = await watched;
    const window = load.ledger.statuses.filter((s) => s.at >= t0);
    const firstAccept = load.ledger.submissions.map((s) => s.response && Date.parse(s.response.acceptedAt)).filter((at) => at >= t0).sort((a, b) => a - b)[0];
    const result = {
      fault: fault.name,
      detail,
      heldS: Math.round((healStarted - t0) / 1000),
      acceptAgainS: firstAccept ? Math.round((firstAccept - t0) / 100) / 10 : null,
      inFlightAtFault: inFlight.length,
      deliveredAgainS: drainedAt ? Math.round((drainedAt - t0) / 100) / 10 : null,
      healedAfterS: Math.round((Date.now() - healStarted) / 100) / 10,
      fiveXx: window.filter((s) => s.status >= 500).length,
      noAnswer: window.filter((s) => s.status === 0).length,
      peakRssMb: peak,
    };
    results.push(result);
    log(`  → accepted again after ${result.acceptAgainS} s, in-flight delivered ${drained ? `after ${result.deliveredAgainS} s` : 'NOT within the limit'}, 5xx ${result.fiveXx}, no answer ${result.noAnswer}, peak RSS ${JSON.stringify(peak)}`);
  }

  log('faults done; stopping the load and waiting for every delivery');
  await load.stop();
  const failures = await checkInvariants({ load, agencies, gateways, poisons, kafka, kafkaAdmin, verify, checkpointFile });
  const totalS = Math.round((Date.now() - started) / 1000);
  const summary = {
    at: new Date().toISOString(),
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim(),
    totalS,
    holdS: options.hold,
    clients: options.clients,
    alerts: load.ledger.alerts.size,
    versions: [...load.ledger.alerts.values()].reduce((n, a) => n + a.versions.length, 0),
    deliveries: load.expected().length,
    acks: load.ledger.acks.length,
    retriedTo202: load.ledger.retriedTo202,
    streamReconnects: load.streams.reduce((n, s) => n + s.reconnects, 0),
    streamDuplicates: load.streams.reduce((n, s) => n + s.duplicates, 0),
    statuses: load.ledger.statuses.reduce((m, s) => ({ ...m, [s.status]: (m[s.status] || 0) + 1 }), {}),
    faults: results,
    failures,
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${summary.at.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(summary, null, 2));
  printTable(summary);
  log(`results in ${path.relative(ROOT, file)}`);
  return failures.length === 0;
}

async function checkInvariants({ load, agencies, gateways, poisons, kafka, kafkaAdmin, verify, checkpointFile }) {
  const failures = [];
  const fail = (line) => {
    failures.push(line);
    log(`INVARIANT FAILED: ${line}`);
  };
  const expected = load.expected();
  const client = createClient(gateways[0]);
  const readInbox = async (agency) => {
    const items = [];
    let cursor = '0';
    for (;;) {
      const page = await client.request('GET', `/v1/inbox?after=${cursor}&limit=500`, { key: agency.key });
      if (page.status !== 200) throw new Error(`inbox ${agency.id}: ${page.status}`);
      items.push(...page.body.items.filter((i) => ['alert', 'update', 'cancel'].includes(i.kind)));
      if (page.body.items.length < 500) return items;
      cursor = page.body.nextCursor;
    }
  };
  // 1. Exactly once per entitled recipient, nothing to anyone else.
  let inboxes = new Map();
  const complete = await until(
    async () => {
      inboxes = new Map();
      for (const agency of agencies) inboxes.set(agency.id, await readInbox(agency));
      return expected.every((d) => inboxes.get(d.recipient).some((i) => i.alertId === d.alertId && i.version === d.version));
    },
    { timeoutMs: DRAIN_LIMIT_MS, intervalMs: 3000 },
  );
  if (!complete) {
    const missing = expected.filter((d) => !inboxes.get(d.recipient).some((i) => i.alertId === d.alertId && i.version === d.version));
    fail(`${missing.length} of ${expected.length} accepted deliveries never reached their recipient (first: ${JSON.stringify(missing.slice(0, 3))})`);
  }
  for (const agency of agencies) {
    const counts = new Map();
    for (const item of inboxes.get(agency.id)) {
      const alert = load.ledger.alerts.get(item.alertId);
      if (!alert || !alert.recipients.includes(agency.id)) fail(`${agency.id} holds ${item.alertId} v${item.version}, which was not addressed to it`);
      else if (!alert.versions.some((v) => v.version === item.version)) fail(`${agency.id} holds ${item.alertId} v${item.version}, a version no client was promised`);
      const k = `${item.alertId}:${item.version}`;
      counts.set(k, (counts.get(k) || 0) + 1);
    }
    const dup = [...counts.entries()].filter(([, n]) => n > 1);
    if (dup.length) fail(`${agency.id}: ${dup.length} alert versions delivered more than once (${dup.slice(0, 3).map(([k]) => k).join(', ')})`);
  }
  for (const [id, seen] of load.ledger.streamed) {
    for (const key of seen) {
      const alert = load.ledger.alerts.get(key.split(':')[0]);
      if (alert && !alert.recipients.includes(id)) fail(`${id}'s stream showed ${key}, not addressed to it`);
    }
  }
  // 2. Each retry returned the original 202.
  let mismatched = 0;
  for (const s of load.ledger.submissions) {
    const again = await client.request('POST', '/v1/alerts', { key: s.sender.key, body: s.body, headers: { 'idempotency-key': s.idempotencyKey } });
    if (again.status !== 202 || JSON.stringify(sortKeys(again.body)) !== JSON.stringify(sortKeys(s.response))) mismatched++;
  }
  if (mismatched) fail(`${mismatched} of ${load.ledger.submissions.length} submissions answered a retry with something other than the original 202`);
  client.close();
  // 3. Each audit fact exactly once.
  const ids = [...load.ledger.alerts.keys()];
  const { Client } = require('pg');
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    const facts = (
      await db.query(
        `SELECT type, alert_id, version, recipient, actor_agency, count(*)::int AS n FROM audit.entries
          WHERE alert_id = ANY($1::text[]) AND type IN ('alert.submitted','alert.updated','alert.cancelled','alert.delivered','alert.acked')
          GROUP BY 1, 2, 3, 4, 5`,
        [ids],
      )
    ).rows;
    const index = new Map(facts.map((f) => [`${f.type}|${f.alert_id}|${f.version}|${f.type === 'alert.delivered' ? f.recipient : f.type === 'alert.acked' ? f.actor_agency : ''}`, f.n]));
    const want = [];
    for (const alert of load.ledger.alerts.values()) {
      for (const v of alert.versions) want.push(`${{ alert: 'alert.submitted', update: 'alert.updated', cancel: 'alert.cancelled' }[v.kind]}|${alert.alertId}|${v.version}|`);
    }
    for (const d of expected) want.push(`alert.delivered|${d.alertId}|${d.version}|${d.recipient}`);
    for (const a of load.ledger.acks) want.push(`alert.acked|${a.alertId}|${a.version}|${a.agency}`);
    const missing = want.filter((k) => !index.has(k));
    const doubled = [...index.entries()].filter(([, n]) => n > 1);
    const extra = [...index.keys()].filter((k) => !want.includes(k) && k.startsWith('alert.delivered'));
    if (missing.length) fail(`${missing.length} of ${want.length} audit facts missing (first: ${missing.slice(0, 3).join(', ')})`);
    if (doubled.length) fail(`${doubled.length} audit facts held more than once (first: ${doubled.slice(0, 3).map(([k]) => k).join(', ')})`);
    if (extra.length) fail(`${extra.length} delivery facts for deliveries nobody was entitled to`);
    const [{ total, distinct }] = (await db.query(`SELECT count(*)::int AS total, count(DISTINCT event_id)::int AS distinct FROM audit.entries`)).rows;
    if (total !== distinct) fail(`${total - distinct} audit events appended twice`);
    log(`audit: ${want.length} expected facts checked, ${total} entries in the log`);
  } finally {
    await db.end();
  }
  // 4. verify against the checkpoint saved before the first fault.
  const verified = verify(['--checkpoint', checkpointFile]);
  if (verified.status !== 0) fail(`verify against the pre-fault checkpoint: ${verified.stdout.trim().split('\n').slice(-3).join(' / ')}`);
  else log(`verify: ${verified.stdout.trim().split('\n').pop()}`);
  // 5. Poison messages dead-lettered with their origin; their partitions moved on.
  const deadLetters = await readTopic(kafka, 'hub.dead-letter.v1');
  for (const poison of poisons) {
    const found = deadLetters.filter((r) => r.headers['x-origin-topic'] === poison.topic && r.headers['x-origin-offset'] === String(poison.offset));
    if (found.length === 0) fail(`poison ${poison.topic}@${poison.offset} is not on the dead-letter topic with its origin`);
    const groups = (await kafkaAdmin.listGroups()).groups.map((g) => g.groupId);
    let consumers = 0;
    for (const groupId of groups) {
      const [offsets] = await kafkaAdmin.fetchOffsets({ groupId, topics: [poison.topic] });
      const committed = offsets ? offsets.partitions.find((p) => p.partition === poison.partition) : null;
      if (!committed || Number(committed.offset) < 0) continue;
      consumers++;
      if (Number(committed.offset) <= Number(poison.offset)) fail(`group ${groupId} is still at ${committed.offset} on ${poison.topic}/${poison.partition}, behind the poison at ${poison.offset}`);
    }
    if (consumers === 0) fail(`no consumer group committed past ${poison.topic}/${poison.partition}`);
  }
  const wrongly = deadLetters.filter((r) => !r.value.includes('chaos poison'));
  if (wrongly.length) fail(`${wrongly.length} good messages were dead-lettered (first from ${wrongly[0].headers['x-origin-topic']}: ${wrongly[0].headers['x-error']})`);
  log(`dead letters: ${deadLetters.length} (poison messages: ${poisons.length})`);
  return failures;
}

function sortKeys(value) {
  return value && typeof value === 'object' ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]])) : value;
}

async function readTopic(kafka, topic) {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const records = [];
  const remaining = new Map(offsets.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]));
  if (remaining.size === 0) return records;
  const consumer = kafka.consumer({ groupId: `chaos-reader-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          const headers = {};
          for (const [name, value] of Object.entries(message.headers || {})) headers[name] = String(value);
          records.push({ value: message.value ? message.value.toString() : '', headers });
          if (Number(message.offset) >= remaining.get(partition) - 1) remaining.delete(partition);
          if (remaining.size === 0) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return records;
}

function printTable(summary) {
  const lines = [
    '',
    `chaos run ${summary.at} on ${summary.commit}: ${summary.totalS} s, ${summary.alerts} alerts, ${summary.versions} versions, ${summary.deliveries} deliveries, ${summary.acks} acks, ${summary.clients} clients`,
    '| fault | held s | accepting again s | in flight | in-flight delivered s | 5xx | no answer | peak RSS MB (gw / node / audit) |',
    '|---|---|---|---|---|---|---|---|',
    ...summary.faults.map(
      (f) =>
        `| ${f.fault}${f.detail ? ` (${f.detail})` : ''} | ${f.heldS} | ${f.acceptAgainS ?? '—'} | ${f.inFlightAtFault} | ${f.deliveredAgainS ?? 'not within 180'} | ${f.fiveXx} | ${f.noAnswer} | ${f.peakRssMb['agency-gateway'] || 0} / ${f.peakRssMb['coordination-node'] || 0} / ${f.peakRssMb['audit-log'] || 0} |`,
    ),
    '',
    `statuses: ${JSON.stringify(summary.statuses)}; retries that ended in a 202: ${summary.retriedTo202}; stream reconnects ${summary.streamReconnects}, duplicates on streams ${summary.streamDuplicates}`,
    summary.failures.length ? `INVARIANTS FAILED:\n  ${summary.failures.join('\n  ')}` : 'all invariants hold',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

module.exports = { runChaos };
