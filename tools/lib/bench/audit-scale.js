'use strict';
/**
 * The audit log at one million entries. Appending a million real events through Kafka would take most of the
 * run, so the entries are SYNTHETIC: the facts the services state for each alert in the current leaf formats
 * (audit-facts.js: submitted, one routing fact per version, deliveries, one fact per stream batch or page), as the
 * audit-log's own auditEntryOf makes them entries and its entrySubjects indexes them, written straight into a fresh
 * audit schema (database <bench database>_audit) with libs/merkle's own functions — canonicalJson, the RFC 6962
 * leaf hash, appendLeaves for the stored complete subtrees, signCheckpoint for the seal the service checks before it
 * builds on a tree. (`--audit-via-services` has the audit-log service itself append them: audit-services.js.) The audit-log
 * service is then restarted on that database, and what an auditor does is timed against it:
 *   - verify: `node dist/apps/audit-log/main.js verify` (the auditor's CLI, over the HTTP API), and the same
 *     libs/merkle verifyEntries fed straight from PostgreSQL (no HTTP) to separate the two costs;
 *   - GET /v1/audit/proofs/inclusion and GET /v1/audit/alerts/{id}/trail latency (sequential requests).
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { createClient } = require('./http');
const { summarize, round1, busyMeter } = require('./metrics');

const CHUNK = 1 << 14; // 16,384 leaves per transaction: a power of two keeps the frontier above level 14
const SAMPLES = 200;
const LIBRARY_SAMPLE = 200000; // entries kept in memory for the library-only verify

function loadMerkle(root) {
  return require('./hub-source').hubSource(root)('libs/merkle/src/index.ts');
}

/**
 * Writes `total` synthetic entries, their Merkle nodes and a seal. Bulk-load practice, on the bench database only:
 * the secondary indexes of audit.entries and audit.entry_subjects are dropped first and rebuilt at the end from their own definitions
 * (pg_indexes), commits are asynchronous, and hashing the next chunk overlaps PostgreSQL inserting the last.
 * Returns the alert ids (for trail queries), the tree size and root, and the timings.
 */
async function writeSyntheticLog({ merkle, facts, connect, total, privateKeyPem, log }) {
  const {
    canonicalJson,
    leafHashOfUtf8,
    appendLeaves,
    completeSubtreePositions,
    InMemoryMerkleNodeStore,
    rootAt,
    signCheckpoint,
    keyIdFor,
    loadEd25519PrivateKey,
  } = merkle;
  const privateKey = loadEd25519PrivateKey(privateKeyPem);
  const entriesDb = await connect('bench-audit-writer-entries');
  const nodesDb = await connect('bench-audit-writer-nodes');
  const timings = { computeMs: 0, waitMs: 0, indexMs: 0 };
  try {
    for (const db of [entriesDb, nodesDb]) await db.query('SET synchronous_commit = off');
    const { rows: indexes } = await entriesDb.query(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
       WHERE i.schemaname = 'audit' AND i.tablename IN ('entries', 'entry_subjects')
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = 'audit'::regnamespace)`,
    );
    for (const index of indexes) await entriesDb.query(`DROP INDEX audit."${index.indexname}"`);

    const alertIds = [];
    const sample = { canonical: [], leafHashes: [] };
    let size = 0;
    let frontier = new InMemoryMerkleNodeStore();
    let queue = [];
    let alert = 0;
    let inFlight = Promise.resolve();
    let entryBytes = 0;
    const state = facts.factState(facts.source);
    while (size < total) {
      const t0 = performance.now();
      const count = Math.min(CHUNK, total - size);
      while (queue.length < count) {
        const made = facts.serviceEntries(facts.source, state, alert, 100);
        alert += 100;
        alertIds.push(...made.alertIds);
        queue.push(...made.entries);
      }
      const chunk = queue.slice(0, count);
      queue = queue.slice(count);
      // Keys pre-sorted: canonicalJson then takes its fast path (native JSON.stringify after an order check)
      // instead of sorting itself, about 2.5× faster for the same bytes.
      const canonical = chunk.map(({ entry }) => canonicalJson(sortedDeep(entry)));
      const leafHashes = canonical.map((text) => leafHashOfUtf8(text));
      for (let i = 0; i < canonical.length && sample.canonical.length < LIBRARY_SAMPLE; i++) {
        sample.canonical.push(canonical[i]);
        sample.leafHashes.push(leafHashes[i]);
      }
      const nodes = await appendLeaves(frontier, size, leafHashes);
      const firstSeq = size;
      const newSize = size + count;
      // Keep only the new frontier (complete subtrees of the new size): what the next chunk builds on.
      const next = new InMemoryMerkleNodeStore();
      const byPosition = new Map(nodes.map((node) => [`${node.level}:${node.index}`, node]));
      for (const position of completeSubtreePositions(0, newSize)) {
        const key = `${position.level}:${position.index}`;
        const hash = byPosition.has(key)
          ? byPosition.get(key).hash
          : await frontier.getNode(position.level, position.index);
        next.put([{ ...position, hash }]);
      }
      for (const text of canonical) entryBytes += text.length;
      // One JSON document per chunk (JSON.stringify and PostgreSQL's JSON parser are native code; building 14
      // array literals in JavaScript is several times slower). The columns are the writer's own (audit-log.writer.ts).
      const rowsJson = JSON.stringify(
        chunk.map(({ entry: e }, i) => ({
          seq: firstSeq + i,
          event_id: e.eventId,
          type: e.type,
          at: e.at,
          actor_agency: e.actor.agencyId ?? null,
          actor_key_id: e.actor.keyId ?? null,
          actor_role: e.actor.role ?? null,
          actor_service: e.actor.service ?? null,
          alert_id: e.alertId ?? null,
          version: e.version ?? null,
          recipient: e.recipient ?? null,
          decision: e.decision ?? null,
          reason: e.reason ?? null,
          entry: canonical[i],
        })),
      );
      const nodeParams = [
        nodes.map((n) => n.level),
        nodes.map((n) => String(n.index)),
        nodes.map((n) => n.hash.toString('hex')),
      ];
      // What the audit-log's subject index holds for these entries (its own entrySubjects, as its writer inserts them).
      const subjects = chunk.flatMap(({ subjects: list }, i) =>
        list.map((subject) => ({ seq: String(firstSeq + i), ...subject })),
      );
      const t1 = performance.now();
      timings.computeMs += t1 - t0;
      await inFlight; // the previous chunk's inserts
      timings.waitMs += performance.now() - t1;
      inFlight = Promise.all([
        entriesDb.query(
          `INSERT INTO audit.entries
             (seq, event_id, type, at, actor_agency, actor_key_id, actor_role, actor_service, alert_id, version, recipient, decision, reason, entry)
           SELECT seq, event_id, type, at, actor_agency, actor_key_id, actor_role, actor_service, alert_id, version, recipient, decision, reason, entry
           FROM json_to_recordset($1::json) AS r(seq bigint, event_id text, type text, at timestamptz, actor_agency text, actor_key_id text,
             actor_role text, actor_service text, alert_id text, version int, recipient text, decision text, reason text, entry text)`,
          [rowsJson],
        ),
        nodesDb
          .query(
            `INSERT INTO audit.merkle_nodes (level, idx, hash)
             SELECT level, idx, decode(hash, 'hex') FROM unnest($1::int[], $2::bigint[], $3::text[]) AS node(level, idx, hash)`,
            nodeParams,
          )
          .then(() =>
            nodesDb.query(
              `INSERT INTO audit.entry_subjects (seq, alert_id, version, agency, decision, reason)
               SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[])`,
              [
                subjects.map((r) => r.seq),
                subjects.map((r) => r.alertId),
                subjects.map((r) => r.version),
                subjects.map((r) => r.agency),
                subjects.map((r) => r.decision),
                subjects.map((r) => r.reason),
              ],
            ),
          ),
      ]);
      frontier = next;
      size = newSize;
      if (size % (CHUNK * 16) === 0 || size === total)
        log(`audit: ${size.toLocaleString('en-US')} synthetic entries hashed`);
    }
    const t2 = performance.now();
    await inFlight;
    timings.waitMs += performance.now() - t2;
    const t3 = performance.now();
    // Two connections, one statement at a time on each.
    const rebuild = async (db, list) => {
      for (const index of list) await db.query(index.indexdef);
    };
    await Promise.all([
      rebuild(
        entriesDb,
        indexes.filter((_, i) => i % 2 === 0),
      ),
      rebuild(
        nodesDb,
        indexes.filter((_, i) => i % 2 === 1),
      ),
    ]);
    timings.indexMs = performance.now() - t3;
    const root = await rootAt(frontier, size);
    const seal = signCheckpoint(privateKey, keyIdFor(privateKey), size, root, new Date());
    await entriesDb.query(
      `INSERT INTO audit.tree_heads (tree_size, root_hash, signed_at, key_id, signature) VALUES ($1, $2, $3, $4, $5)`,
      [seal.treeSize, seal.rootHash, seal.timestamp, seal.keyId, seal.signature],
    );
    await Promise.all([
      entriesDb.query('ANALYZE audit.entries'),
      nodesDb.query('ANALYZE audit.merkle_nodes').then(() => nodesDb.query('ANALYZE audit.entry_subjects')),
    ]);
    return {
      alertIds,
      sample,
      treeSize: size,
      rootHash: seal.rootHash,
      ...timings,
      averageEntryBytes: Math.round(entryBytes / size),
      rebuiltIndexes: indexes.map((i) => i.indexname),
    };
  } finally {
    await entriesDb.end().catch(() => undefined);
    await nodesDb.end().catch(() => undefined);
  }
}

/** A copy with object keys in canonical order (UTF-16 code units, i.e. the default sort) at every depth. */
function sortedDeep(value) {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const key of Object.keys(value).sort()) out[key] = sortedDeep(value[key]);
    return out;
  }
  return value;
}

function runProcess(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * libs/merkle verifyEntries alone, on entries already in memory as the HTTP client would hold them (parsed JSON,
 * pages of 1000) against a checkpoint signed for their tree size: the verifier's own ceiling.
 */
async function verifyInMemory({ merkle, sample, privateKeyPem }) {
  const tree = new merkle.CompactMerkleTree();
  for (const hash of sample.leafHashes) tree.append(hash);
  const privateKey = merkle.loadEd25519PrivateKey(privateKeyPem);
  const checkpoint = merkle.signCheckpoint(privateKey, merkle.keyIdFor(privateKey), tree.size, tree.root(), new Date());
  const pages = [];
  for (let i = 0; i < sample.canonical.length; i += 1000) {
    pages.push(
      sample.canonical.slice(i, i + 1000).map((text, k) => ({
        seq: i + k,
        entry: JSON.parse(text),
        leafHash: sample.leafHashes[i + k].toString('hex'),
      })),
    );
  }
  const started = performance.now();
  const result = await merkle.verifyEntries({ entryPages: pages, latestCheckpoint: checkpoint, publicKey: privateKey });
  const seconds = (performance.now() - started) / 1000;
  return {
    ok: result.ok,
    checkedEntries: result.checkedEntries,
    seconds: Math.round(seconds * 100) / 100,
    entriesPerSecond: Math.round(result.checkedEntries / seconds),
  };
}

/** libs/merkle verifyEntries fed from PostgreSQL in keyset pages: the verifier's own cost, without HTTP. */
async function verifyFromDatabase({ merkle, pg, checkpoint, publicKeyPem }) {
  const pageSize = 10000;
  async function* pages() {
    let after = -1;
    for (;;) {
      const { rows } = await pg.query(
        `SELECT e.seq::text AS seq, e.entry, encode(n.hash, 'hex') AS leaf_hash FROM audit.entries e
         LEFT JOIN audit.merkle_nodes n ON n.level = 0 AND n.idx = e.seq
         WHERE e.seq > $1 AND e.seq < $2 ORDER BY e.seq LIMIT $3`,
        [after, checkpoint.treeSize, pageSize],
      );
      if (rows.length === 0) return;
      yield rows.map((row) => ({ seq: Number(row.seq), entry: JSON.parse(row.entry), leafHash: row.leaf_hash }));
      after = Number(rows[rows.length - 1].seq);
    }
  }
  const started = performance.now();
  const result = await merkle.verifyEntries({
    entryPages: pages(),
    latestCheckpoint: checkpoint,
    publicKey: merkle.loadEd25519PublicKey(publicKeyPem),
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    ok: result.ok,
    checkedEntries: result.checkedEntries,
    seconds: round1(seconds),
    entriesPerSecond: Math.round(result.checkedEntries / seconds),
    problems: result.problems.slice(0, 3),
  };
}

/** What a run of the verify CLI said: passed or not, how many entries, how fast, and the machine's busy % meanwhile. */
function verifyOutcome(cli, seconds, busy) {
  const checked = checkedOf(cli.stdout);
  return {
    ok: cli.code === 0 && /VERIFIED/.test(cli.stdout),
    checkedEntries: checked,
    seconds: round1(seconds),
    entriesPerSecond: Math.round(checked / seconds),
    machineBusyPercent: busy.stop(),
    output: (cli.stdout + cli.stderr).trim().split('\n').slice(0, 8),
  };
}

function checkedOf(stdout) {
  return Number((/entries checked:\s+(\d+)/.exec(stdout) || [])[1] || 0);
}

/** The CLI's own profile (--cpu-prof) and the service's (preload), with per-entry counts for the service. */
async function summarizeVerifyProfiles(dir, entries, log) {
  const fs = require('node:fs');
  const { summarizeProfile } = require('./profile-summary');
  const result = {};
  const deadline = Date.now() + 20000;
  for (const name of ['verify-cli', 'audit-log-serving-verify']) {
    const file = path.join(dir, `${name}.cpuprofile`);
    while (!fs.existsSync(file) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    if (!fs.existsSync(file)) continue;
    await new Promise((resolve) => setTimeout(resolve, 500));
    result[name] = summarizeProfile(file);
    const counts = path.join(dir, `${name}.counts.json`);
    if (fs.existsSync(counts) && entries > 0) {
      const c = JSON.parse(fs.readFileSync(counts, 'utf8'));
      result[name].perThousandEntries = {
        sqlStatements: Math.round((Object.values(c.queries).reduce((a, b) => a + b, 0) / entries) * 1000 * 10) / 10,
        kafkaProduceCalls: Math.round((c.kafka.sends / entries) * 1000 * 10) / 10,
        topStatements: Object.entries(c.queries)
          .slice(0, 6)
          .map(([sql, n]) => ({ perThousandEntries: Math.round((n / entries) * 10000) / 10, sql })),
      };
    }
    const p = result[name];
    log(
      `audit: profile ${name}: busy ${p.busySeconds} s of ${p.wallSeconds} s; ${p.areas
        .slice(0, 6)
        .map((a) => `${a.name} ${a.percentOfBusy}%`)
        .join(', ')}`,
    );
  }
  return result;
}

async function latencies(count, fn) {
  const values = [];
  const failures = {};
  const busy = busyMeter();
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const status = await fn(i);
    values.push(performance.now() - started);
    if (status !== 200) failures[status] = (failures[status] || 0) + 1;
  }
  return { latencyMs: summarize(values), failures, machineBusyPercent: busy.stop() };
}

/**
 * An auditor key (replicated to the audit-log's credential table first), then the audit-log stopped and a fresh,
 * migrated audit database (<bench database>_audit) holding a copy of those credentials, ready for the service to
 * be started on it. Returns the auditor key.
 */
async function prepareFreshAuditLog({ hub, cleanup, sampler, gateway, root }) {
  const { Client } = require('pg');
  const { ensureDatabase } = require('../postgres.ts');
  const auditDatabase = hub.auditDatabaseName;
  const agency = await gateway.request('POST', '/v1/admin/agencies', {
    key: hub.adminKey,
    body: { id: 'KZ-BENCHAUDIT', name: 'Benchmark auditors', country: 'KZ', kind: 'regional-centre' },
  });
  if (agency.status !== 201 && agency.status !== 409)
    throw new Error(`creating the auditors' agency: ${agency.status} ${JSON.stringify(agency.body)}`);
  const issued = await gateway.request('POST', '/v1/admin/agencies/KZ-BENCHAUDIT/keys', {
    key: hub.adminKey,
    body: { role: 'auditor' },
  });
  if (issued.status !== 201) throw new Error(`issuing an auditor key: ${issued.status} ${JSON.stringify(issued.body)}`);
  const source = new Client({ connectionString: hub.databaseUrl });
  await source.connect();
  let credentials = [];
  const deadline = Date.now() + 120000;
  while (Date.now() < deadline) {
    credentials = (await source.query('SELECT key_id, record, updated_at FROM audit.credentials')).rows;
    if (credentials.some((row) => row.key_id === issued.body.keyId)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await source.end();
  if (!credentials.some((row) => row.key_id === issued.body.keyId))
    throw new Error('the auditor key did not reach the audit-log credential replica');

  const auditHandle = hub.handles.find((h) => h.app === 'audit-log');
  sampler?.retire('audit-log');
  await auditHandle.stop();
  await ensureDatabase(hub.auditDatabaseUrl, { fresh: true });
  cleanup.add(`drop database ${auditDatabase}`, async () => {
    const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [auditDatabase],
    );
    await admin.query(`DROP DATABASE IF EXISTS "${auditDatabase}"`);
    await admin.end();
  });
  const env = { ...hub.env, DATABASE_URL: hub.auditDatabaseUrl };
  const migrated = await runProcess(
    process.execPath,
    [path.join(root, 'dist', 'apps', 'audit-log', 'main.js'), 'migrate'],
    env,
  );
  if (migrated.code !== 0)
    throw new Error(`audit-log migrate on ${auditDatabase} failed: ${migrated.stderr || migrated.stdout}`);
  const pg = new Client({ connectionString: hub.auditDatabaseUrl, application_name: 'bench-audit-credentials' });
  await pg.connect();
  try {
    for (const row of credentials) {
      await pg.query('INSERT INTO audit.credentials (key_id, record, updated_at) VALUES ($1, $2, $3)', [
        row.key_id,
        JSON.stringify(row.record),
        row.updated_at,
      ]);
    }
  } finally {
    await pg.end();
  }
  return { auditorKey: issued.body.key };
}

async function runAuditScale({
  hub,
  cleanup,
  log,
  entries: total,
  root,
  sampler,
  deadlineAt = Infinity,
  profileDir = null,
}) {
  const fs = require('node:fs');
  const { Client } = require('pg');
  const services = require('@hub/testing/local-hub');
  const merkle = loadMerkle(root);
  const gateway = createClient(hub.urls['agency-gateway']);
  const auditUrl = hub.urls['audit-log'];
  const audit = createClient(auditUrl);
  const steps = {};
  const AUDIT_DATABASE_URL = hub.auditDatabaseUrl;
  const auditDatabase = hub.auditDatabaseName;
  try {
    const { auditorKey } = await prepareFreshAuditLog({ hub, cleanup, sampler, gateway, root });
    const env = { ...hub.env, DATABASE_URL: AUDIT_DATABASE_URL };
    const pg = new Client({ connectionString: AUDIT_DATABASE_URL, application_name: 'bench-audit-writer' });
    await pg.connect();
    try {
      log(
        `audit: writing ${total.toLocaleString('en-US')} SYNTHETIC entries into the fresh database ${auditDatabase} (libs/merkle leaves and nodes)`,
      );
      const started = performance.now();
      const connect = async (name) => {
        const client = new Client({ connectionString: AUDIT_DATABASE_URL, application_name: name });
        await client.connect();
        return client;
      };
      const factsModule = require('./audit-facts');
      const facts = { ...factsModule, source: factsModule.factSources(root) };
      const written = await writeSyntheticLog({
        merkle,
        facts,
        connect,
        total,
        privateKeyPem: fs.readFileSync(hub.signingKey.file, 'utf8'),
        log,
      });
      const writeSeconds = (performance.now() - started) / 1000;
      steps.write = {
        seconds: round1(writeSeconds),
        hashingSeconds: round1(written.computeMs / 1000),
        waitingForPostgresSeconds: round1(written.waitMs / 1000),
        indexRebuildSeconds: round1(written.indexMs / 1000),
        rebuiltIndexes: written.rebuiltIndexes,
        entriesPerSecond: Math.round(total / writeSeconds),
        averageEntryBytes: written.averageEntryBytes,
      };
      const sizes = (
        await pg.query(
          `SELECT pg_size_pretty(pg_total_relation_size('audit.entries')) AS entries, pg_size_pretty(pg_total_relation_size('audit.merkle_nodes')) AS nodes`,
        )
      ).rows[0];
      steps.write.tableSizes = sizes;
      log(
        `audit: written in ${steps.write.seconds} s (hashing ${steps.write.hashingSeconds} s, then waiting for PostgreSQL ${steps.write.waitingForPostgresSeconds} s, index rebuild ${steps.write.indexRebuildSeconds} s); entries ${sizes.entries}, nodes ${sizes.nodes}`,
      );

      // The audit-log service, now on the million-entry log (profiled during verify with --profile audit-log).
      const serviceEnv = { ...env };
      if (profileDir) {
        fs.mkdirSync(profileDir, { recursive: true });
        Object.assign(serviceEnv, {
          NODE_OPTIONS: `--require ${path.join(__dirname, 'profile-preload.js')}`,
          BENCH_PROFILE_DIR: profileDir,
          BENCH_PROFILE_NAME: 'audit-log-serving-verify',
        });
      }
      const handle = services.startService('audit-log', serviceEnv, hub.logDir);
      cleanup.add('service audit-log (1M)', () => handle.stop());
      await services.waitHealthy(handle);
      sampler?.add('audit-log (1M-entry log)', handle.child.pid);
      log(`audit: audit-log restarted on ${auditDatabase}`);

      const checkpointResponse = await audit.request('GET', '/v1/audit/checkpoint', { key: auditorKey });
      if (checkpointResponse.status !== 200)
        throw new Error(
          `GET /v1/audit/checkpoint: ${checkpointResponse.status} ${JSON.stringify(checkpointResponse.body)}`,
        );
      const checkpoint = checkpointResponse.body;

      const treeSize = written.treeSize;
      const random = (n) => Math.floor(Math.random() * n);
      // Warm the connection pool and the plans (not measured).
      for (let i = 0; i < 10; i++) {
        await audit.request('GET', `/v1/audit/proofs/inclusion?seq=${random(treeSize)}&treeSize=${treeSize}`, {
          key: auditorKey,
        });
        await audit.request('GET', `/v1/audit/alerts/${written.alertIds[random(written.alertIds.length)]}/trail`, {
          key: auditorKey,
        });
      }
      let proofChecked = null;
      const inclusion = await latencies(SAMPLES, async (i) => {
        const seq = random(treeSize);
        const response = await audit.request('GET', `/v1/audit/proofs/inclusion?seq=${seq}&treeSize=${treeSize}`, {
          key: auditorKey,
        });
        if (i === 0 && response.status === 200) {
          proofChecked = merkle.verifyInclusion
            ? Boolean(
                merkle.verifyInclusion(
                  merkle.hashFromHex(response.body.leafHash),
                  seq,
                  treeSize,
                  response.body.proof.map(merkle.hashFromHex),
                  merkle.hashFromHex(written.rootHash),
                ),
              )
            : null;
        }
        return response.status;
      });
      log(
        `audit: inclusion proof at ${treeSize.toLocaleString('en-US')} entries p50 ${inclusion.latencyMs.p50} p99 ${inclusion.latencyMs.p99} ms`,
      );
      let trailEntries = 0;
      const trail = await latencies(SAMPLES, async () => {
        const response = await audit.request(
          'GET',
          `/v1/audit/alerts/${written.alertIds[random(written.alertIds.length)]}/trail`,
          { key: auditorKey },
        );
        if (response.status === 200) trailEntries += response.body.items.length;
        return response.status;
      });
      log(
        `audit: alert trail p50 ${trail.latencyMs.p50} p99 ${trail.latencyMs.p99} ms (${Math.round(trailEntries / SAMPLES)} entries per trail)`,
      );

      log('audit: verify (CLI over the HTTP API)…');
      if (profileDir) fs.writeFileSync(path.join(profileDir, 'start'), '');
      const verifyBusy = busyMeter();
      const verifyStarted = performance.now();
      const cli = await runProcess(
        process.execPath,
        [
          ...(profileDir
            ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-name=verify-cli.cpuprofile']
            : []),
          path.join(root, 'dist', 'apps', 'audit-log', 'main.js'),
          'verify',
          '--url',
          auditUrl,
          '--key',
          auditorKey,
          '--public-key',
          hub.signingKey.publicFile,
        ],
        { PATH: process.env.PATH },
      );
      const verifySeconds = (performance.now() - verifyStarted) / 1000;
      let verifyProfiles = null;
      if (profileDir) {
        fs.writeFileSync(path.join(profileDir, 'stop'), '');
        verifyProfiles = await summarizeVerifyProfiles(profileDir, checkedOf(cli.stdout), log);
      }
      const verify = { how: 'verify CLI over HTTP', ...verifyOutcome(cli, verifySeconds, verifyBusy) };
      const checked = verify.checkedEntries;
      log(
        `audit: verify ${verify.ok ? 'VERIFIED' : 'FAILED'} ${checked.toLocaleString('en-US')} entries in ${verify.seconds} s = ${verify.entriesPerSecond.toLocaleString('en-US')} entries/s`,
      );
      const inMemory = await verifyInMemory({
        merkle,
        sample: written.sample,
        privateKeyPem: fs.readFileSync(hub.signingKey.file, 'utf8'),
      });
      written.sample = null;
      log(
        `audit: library only (verifyEntries on ${inMemory.checkedEntries.toLocaleString('en-US')} parsed entries in memory) ${inMemory.ok ? 'ok' : 'FAILED'} ${inMemory.entriesPerSecond.toLocaleString('en-US')} entries/s`,
      );
      let direct;
      if (Date.now() + verify.seconds * 1000 > deadlineAt) {
        direct = { ok: null, entriesPerSecond: null, seconds: null, skipped: 'not enough time left in the run budget' };
        log('audit: skipping the library-only verify (run budget)');
      } else {
        log('audit: verify (libs/merkle verifyEntries fed from PostgreSQL, no HTTP)…');
        direct = await verifyFromDatabase({
          merkle,
          pg,
          checkpoint,
          publicKeyPem: fs.readFileSync(hub.signingKey.publicFile, 'utf8'),
        });
        log(
          `audit: library verify ${direct.ok ? 'ok' : 'FAILED'} ${direct.entriesPerSecond.toLocaleString('en-US')} entries/s`,
        );
      }

      const fmt = (v) => v.toLocaleString('en-US');
      return {
        status: 'measured',
        note:
          'SYNTHETIC entries in the current leaf formats (audit-facts.js: one routing fact per version, one fact per stream batch or page; ~6.5 per alert) ' +
          "written directly with libs/merkle and the audit-log's own entry and subject functions; the service then serves and verifies them",
        entries: treeSize,
        write: steps.write,
        checkpoint: { treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash },
        verify,
        verifyLibraryInMemory: inMemory,
        verifyLibraryFromDatabase: direct,
        ...(verifyProfiles ? { verifyProfiles } : {}),
        inclusionProof: { ...inclusion, sampleProofVerified: proofChecked },
        trail: { ...trail, averageEntries: Math.round(trailEntries / SAMPLES) },
        rows: [
          [
            'synthetic write (hash + insert), entries/s',
            `${fmt(steps.write.entriesPerSecond)} (${steps.write.seconds} s; ${steps.write.averageEntryBytes} B/entry; ${sizes.entries} + ${sizes.nodes})`,
          ],
          [
            'verify CLI over HTTP, entries/s',
            `${fmt(verify.entriesPerSecond)} (${fmt(checked)} entries in ${verify.seconds} s, ${verify.ok ? 'VERIFIED' : 'FAILED'}; machine busy ${verify.machineBusyPercent} %)`,
          ],
          [
            'verifyEntries alone, in memory, entries/s',
            `${fmt(inMemory.entriesPerSecond)} (${fmt(inMemory.checkedEntries)} entries in ${inMemory.seconds} s, ${inMemory.ok ? 'ok' : 'FAILED'})`,
          ],
          [
            'verifyEntries from PostgreSQL (no HTTP), entries/s',
            direct.skipped
              ? `skipped: ${direct.skipped}`
              : `${fmt(direct.entriesPerSecond)} (${direct.seconds} s, ${direct.ok ? 'ok' : 'FAILED'})`,
          ],
          [
            'inclusion proof ms p50/p95/p99/max',
            `${inclusion.latencyMs.p50} / ${inclusion.latencyMs.p95} / ${inclusion.latencyMs.p99} / ${inclusion.latencyMs.max} (${SAMPLES} sequential; machine busy ${inclusion.machineBusyPercent} %)`,
          ],
          [
            'alert trail ms p50/p95/p99/max',
            `${trail.latencyMs.p50} / ${trail.latencyMs.p95} / ${trail.latencyMs.p99} / ${trail.latencyMs.max} (${Math.round(trailEntries / SAMPLES)} entries each; machine busy ${trail.machineBusyPercent} %)`,
          ],
        ],
      };
    } finally {
      await pg.end().catch(() => undefined);
    }
  } finally {
    gateway.close();
    audit.close();
  }
}

module.exports = { runAuditScale, prepareFreshAuditLog, runProcess, checkedOf, verifyOutcome, loadMerkle };
