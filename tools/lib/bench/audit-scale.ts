/**
 * The audit log at one million entries. Appending a million real events through Kafka would take most of the
 * run, so the entries are SYNTHETIC: the facts the services state for each alert in the current leaf formats
 * (audit-facts.ts: submitted, one routing fact per version, deliveries, one fact per stream batch or page), as the
 * audit-log's own auditEntryOf makes them entries and its entrySubjects indexes them, written straight into a fresh
 * audit schema (database <bench database>_audit) with libs/merkle's own functions (synthetic-log.ts).
 * (`--audit-via-services` has the audit-log service itself append them: audit-services.ts.) The audit-log
 * service is then restarted on that database, and what an auditor does is timed against it:
 *   - verify: `node dist/apps/audit-log/main.js verify` (the auditor's CLI, over the HTTP API), and the same
 *     libs/merkle verifyEntries fed straight from PostgreSQL (no HTTP) to separate the two costs;
 *   - GET /v1/audit/proofs/inclusion and GET /v1/audit/alerts/{id}/trail latency (sequential requests).
 * The section's steps: write the log, serve it, time proofs and trails, verify, and the report's rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { Checkpoint, AuditEntryView } from '@hub/merkle';
import { startService, waitHealthy } from '@hub/testing/local-hub';
import type { CleanupRegistry } from '../cleanup';
import type { BenchHub } from './environment';
import type { HttpClient } from './exchange';
import { auditLogMain, checkedOf, prepareFreshAuditLog, runProcess, verifyOutcome } from './fresh-audit-log';
import { hubSource, type HubSource } from './hub-source';
import { createClient } from './http';
import { busyMeter, round1, summarize, type LatencySummary, type ResourceSampler } from './metrics';
import { summarizeProfile, type ProfileSummary } from './profile-summary';
import type { ProfileCounts } from './preload/profile-preload';
import type { AuditResult, VerifyOutcome } from './results';
import { writeSyntheticLog, type EntrySample, type WrittenLog } from './synthetic-log';

const SAMPLES = 200;

type Merkle = HubSource['merkle'];

/** libs/merkle verifyEntries on entries in memory or from PostgreSQL: the verifier's own speed. */
interface LibraryVerify {
  ok: boolean | null;
  checkedEntries?: number;
  seconds: number | null;
  entriesPerSecond: number | null;
  problems?: string[];
  skipped?: string;
}

/** Sequential requests: latency percentiles, failures by status, and how busy the machine was meanwhile. */
interface SequentialLatency {
  latencyMs: LatencySummary;
  failures: Record<string, number>;
  machineBusyPercent: number;
}

/**
 * libs/merkle verifyEntries alone, on entries already in memory as the HTTP client would hold them (parsed JSON,
 * pages of 1000) against a checkpoint signed for their tree size: the verifier's own ceiling.
 */
async function verifyInMemory({
  merkle,
  sample,
  privateKeyPem,
}: {
  merkle: Merkle;
  sample: EntrySample;
  privateKeyPem: string;
}): Promise<LibraryVerify & { ok: boolean; checkedEntries: number; entriesPerSecond: number }> {
  const tree = new merkle.CompactMerkleTree();
  for (const hash of sample.leafHashes) tree.append(hash);
  const privateKey = merkle.loadEd25519PrivateKey(privateKeyPem);
  const checkpoint = merkle.signCheckpoint(privateKey, merkle.keyIdFor(privateKey), tree.size, tree.root(), new Date());
  const pages: AuditEntryView[][] = [];
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
async function verifyFromDatabase({
  merkle,
  pg,
  checkpoint,
  publicKeyPem,
}: {
  merkle: Merkle;
  pg: Client;
  checkpoint: Checkpoint;
  publicKeyPem: string;
}): Promise<LibraryVerify & { ok: boolean; entriesPerSecond: number }> {
  const pageSize = 10000;
  async function* pages(): AsyncGenerator<AuditEntryView[]> {
    let after = -1;
    for (;;) {
      const { rows } = await pg.query<{ seq: string; entry: string; leaf_hash: string | null }>(
        `SELECT e.seq::text AS seq, e.entry, encode(n.hash, 'hex') AS leaf_hash FROM audit.entries e
         LEFT JOIN audit.merkle_nodes n ON n.level = 0 AND n.idx = e.seq
         WHERE e.seq > $1 AND e.seq < $2 ORDER BY e.seq LIMIT $3`,
        [after, checkpoint.treeSize, pageSize],
      );
      if (rows.length === 0) return;
      yield rows.map((row) => ({
        seq: Number(row.seq),
        entry: JSON.parse(row.entry),
        leafHash: row.leaf_hash as string,
      }));
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

type VerifyProfile = ProfileSummary & {
  perThousandEntries?: {
    sqlStatements: number;
    kafkaProduceCalls: number;
    topStatements: { perThousandEntries: number; sql: string }[];
  };
};

/** The CLI's own profile (--cpu-prof) and the service's (preload), with per-entry counts for the service. */
async function summarizeVerifyProfiles(
  dir: string,
  entries: number,
  log: (line: string) => void,
): Promise<Record<string, VerifyProfile>> {
  const result: Record<string, VerifyProfile> = {};
  const deadline = Date.now() + 20000;
  for (const name of ['verify-cli', 'audit-log-serving-verify']) {
    const file = path.join(dir, `${name}.cpuprofile`);
    while (!fs.existsSync(file) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    if (!fs.existsSync(file)) continue;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const p: VerifyProfile = summarizeProfile(file);
    result[name] = p;
    const counts = path.join(dir, `${name}.counts.json`);
    if (fs.existsSync(counts) && entries > 0) {
      const c = JSON.parse(fs.readFileSync(counts, 'utf8')) as ProfileCounts;
      p.perThousandEntries = {
        sqlStatements: Math.round((Object.values(c.queries).reduce((a, b) => a + b, 0) / entries) * 1000 * 10) / 10,
        kafkaProduceCalls: Math.round((c.kafka.sends / entries) * 1000 * 10) / 10,
        topStatements: Object.entries(c.queries)
          .slice(0, 6)
          .map(([sql, n]) => ({ perThousandEntries: Math.round((n / entries) * 10000) / 10, sql })),
      };
    }
    log(
      `audit: profile ${name}: busy ${p.busySeconds} s of ${p.wallSeconds} s; ${p.areas
        .slice(0, 6)
        .map((a) => `${a.name} ${a.percentOfBusy}%`)
        .join(', ')}`,
    );
  }
  return result;
}

async function latencies(count: number, fn: (i: number) => Promise<number>): Promise<SequentialLatency> {
  const values: number[] = [];
  const failures: Record<string, number> = {};
  const busy = busyMeter();
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const status = await fn(i);
    values.push(performance.now() - started);
    if (status !== 200) failures[status] = (failures[status] || 0) + 1;
  }
  return { latencyMs: summarize(values), failures, machineBusyPercent: busy.stop() };
}

/** What both ways of building the audit log at scale (synthetic here, through the services in audit-services.ts) take. */
export interface AuditSectionOptions {
  hub: BenchHub;
  cleanup: CleanupRegistry;
  log: (line: string) => void;
  entries: number;
  root: string;
  sampler?: ResourceSampler | null;
}

export interface AuditScaleOptions extends AuditSectionOptions {
  /** When the run must end (epoch ms): the library-only verify is skipped if it would not fit. */
  deadlineAt?: number;
  /** Profiles the verify CLI and the serving audit-log there (--profile audit-log). */
  profileDir?: string | null;
}

/** What the steps after the write share. */
interface ServedLog {
  options: AuditScaleOptions;
  merkle: Merkle;
  audit: HttpClient;
  auditorKey: string;
  written: WrittenLog;
}

type WriteStep = {
  seconds: number;
  hashingSeconds: number;
  waitingForPostgresSeconds: number;
  indexRebuildSeconds: number;
  rebuiltIndexes: string[];
  entriesPerSecond: number;
  averageEntryBytes: number;
  tableSizes: { entries: string; nodes: string };
};

/** Writes the synthetic log into the fresh audit database; its timings and table sizes. */
async function writeStep(
  options: AuditScaleOptions,
  source: HubSource,
  pg: Client,
): Promise<{ written: WrittenLog; write: WriteStep }> {
  const { hub, log, entries: total } = options;
  log(
    `audit: writing ${total.toLocaleString('en-US')} SYNTHETIC entries into the fresh database ${hub.auditDatabaseName} (libs/merkle leaves and nodes)`,
  );
  const started = performance.now();
  const connect = async (name: string) => {
    const client = new Client({ connectionString: hub.auditDatabaseUrl, application_name: name });
    await client.connect();
    return client;
  };
  const written = await writeSyntheticLog({
    source,
    connect,
    total,
    privateKeyPem: fs.readFileSync(hub.signingKey.file, 'utf8'),
    log,
  });
  const writeSeconds = (performance.now() - started) / 1000;
  const sizes = (
    await pg.query<{ entries: string; nodes: string }>(
      `SELECT pg_size_pretty(pg_total_relation_size('audit.entries')) AS entries, pg_size_pretty(pg_total_relation_size('audit.merkle_nodes')) AS nodes`,
    )
  ).rows[0];
  const write: WriteStep = {
    seconds: round1(writeSeconds),
    hashingSeconds: round1(written.computeMs / 1000),
    waitingForPostgresSeconds: round1(written.waitMs / 1000),
    indexRebuildSeconds: round1(written.indexMs / 1000),
    rebuiltIndexes: written.rebuiltIndexes,
    entriesPerSecond: Math.round(total / writeSeconds),
    averageEntryBytes: written.averageEntryBytes,
    tableSizes: sizes,
  };
  log(
    `audit: written in ${write.seconds} s (hashing ${write.hashingSeconds} s, then waiting for PostgreSQL ${write.waitingForPostgresSeconds} s, index rebuild ${write.indexRebuildSeconds} s); entries ${sizes.entries}, nodes ${sizes.nodes}`,
  );
  return { written, write };
}

/** The audit-log service, now on the million-entry log (profiled during verify with --profile audit-log). */
async function serveLog(options: AuditScaleOptions): Promise<void> {
  const { hub, cleanup, sampler, profileDir, log } = options;
  const serviceEnv: NodeJS.ProcessEnv = { ...hub.env, DATABASE_URL: hub.auditDatabaseUrl };
  if (profileDir) {
    fs.mkdirSync(profileDir, { recursive: true });
    Object.assign(serviceEnv, {
      NODE_OPTIONS: `--require ${hub.preloads.profile}`,
      BENCH_PROFILE_DIR: profileDir,
      BENCH_PROFILE_NAME: 'audit-log-serving-verify',
    });
  }
  const handle = startService('audit-log', serviceEnv, hub.logDir);
  cleanup.add('service audit-log (1M)', () => handle.stop());
  await waitHealthy(handle);
  sampler?.add('audit-log (1M-entry log)', handle.child.pid as number);
  log(`audit: audit-log restarted on ${hub.auditDatabaseName}`);
}

/** Inclusion proofs and alert trails, SAMPLES sequential requests each, after 10 unmeasured of each. */
async function proofAndTrailLatency({ options, merkle, audit, auditorKey, written }: ServedLog) {
  const { log } = options;
  const treeSize = written.treeSize;
  const random = (n: number) => Math.floor(Math.random() * n);
  const trailPath = () => `/v1/audit/alerts/${written.alertIds[random(written.alertIds.length)]}/trail`;
  // Warm the connection pool and the plans (not measured).
  for (let i = 0; i < 10; i++) {
    await audit.request('GET', `/v1/audit/proofs/inclusion?seq=${random(treeSize)}&treeSize=${treeSize}`, {
      key: auditorKey,
    });
    await audit.request('GET', trailPath(), { key: auditorKey });
  }
  let proofChecked: boolean | null = null;
  const inclusion = await latencies(SAMPLES, async (i) => {
    const seq = random(treeSize);
    const response = await audit.request('GET', `/v1/audit/proofs/inclusion?seq=${seq}&treeSize=${treeSize}`, {
      key: auditorKey,
    });
    if (i === 0 && response.status === 200) {
      const body = response.body as { leafHash: string; proof: string[] };
      proofChecked = Boolean(
        merkle.verifyInclusion(
          merkle.hashFromHex(body.leafHash),
          seq,
          treeSize,
          body.proof.map(merkle.hashFromHex),
          merkle.hashFromHex(written.rootHash),
        ),
      );
    }
    return response.status;
  });
  log(
    `audit: inclusion proof at ${treeSize.toLocaleString('en-US')} entries p50 ${inclusion.latencyMs.p50} p99 ${inclusion.latencyMs.p99} ms`,
  );
  let trailEntries = 0;
  const trail = await latencies(SAMPLES, async () => {
    const response = await audit.request('GET', trailPath(), { key: auditorKey });
    if (response.status === 200) trailEntries += (response.body as { items: unknown[] }).items.length;
    return response.status;
  });
  const averageEntries = Math.round(trailEntries / SAMPLES);
  log(
    `audit: alert trail p50 ${trail.latencyMs.p50} p99 ${trail.latencyMs.p99} ms (${averageEntries} entries per trail)`,
  );
  return {
    inclusionProof: { ...inclusion, sampleProofVerified: proofChecked as boolean | null },
    trail: { ...trail, averageEntries },
  };
}

/** The verify CLI over HTTP (profiled with --profile audit-log). */
async function verifyWithCli({ options, auditorKey }: ServedLog) {
  const { hub, root, profileDir, log } = options;
  log('audit: verify (CLI over the HTTP API)…');
  if (profileDir) fs.writeFileSync(path.join(profileDir, 'start'), '');
  const verifyBusy = busyMeter();
  const verifyStarted = performance.now();
  const cli = await runProcess(
    process.execPath,
    [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-name=verify-cli.cpuprofile'] : []),
      auditLogMain(root),
      'verify',
      '--url',
      hub.urls['audit-log'],
      '--key',
      auditorKey,
      '--public-key',
      hub.signingKey.publicFile,
    ],
    { PATH: process.env.PATH },
  );
  const verifySeconds = (performance.now() - verifyStarted) / 1000;
  let verifyProfiles: Record<string, VerifyProfile> | null = null;
  if (profileDir) {
    fs.writeFileSync(path.join(profileDir, 'stop'), '');
    verifyProfiles = await summarizeVerifyProfiles(profileDir, checkedOf(cli.stdout), log);
  }
  const verify: VerifyOutcome & { how: string } = {
    how: 'verify CLI over HTTP',
    ...verifyOutcome(cli, verifySeconds, verifyBusy),
  };
  log(
    `audit: verify ${verify.ok ? 'VERIFIED' : 'FAILED'} ${verify.checkedEntries.toLocaleString('en-US')} entries in ${verify.seconds} s = ${verify.entriesPerSecond.toLocaleString('en-US')} entries/s`,
  );
  return { verify, verifyProfiles };
}

/** libs/merkle verifyEntries without HTTP: in memory, then from PostgreSQL if the run's budget allows. */
async function verifyWithLibrary(served: ServedLog, pg: Client, checkpoint: Checkpoint, cliSeconds: number) {
  const { options, merkle, written } = served;
  const { hub, log, deadlineAt = Infinity } = options;
  const inMemory = await verifyInMemory({
    merkle,
    sample: written.sample as EntrySample,
    privateKeyPem: fs.readFileSync(hub.signingKey.file, 'utf8'),
  });
  written.sample = null;
  log(
    `audit: library only (verifyEntries on ${inMemory.checkedEntries.toLocaleString('en-US')} parsed entries in memory) ${inMemory.ok ? 'ok' : 'FAILED'} ${inMemory.entriesPerSecond.toLocaleString('en-US')} entries/s`,
  );
  let direct: LibraryVerify;
  if (Date.now() + cliSeconds * 1000 > deadlineAt) {
    direct = { ok: null, entriesPerSecond: null, seconds: null, skipped: 'not enough time left in the run budget' };
    log('audit: skipping the library-only verify (run budget)');
  } else {
    log('audit: verify (libs/merkle verifyEntries fed from PostgreSQL, no HTTP)…');
    const fromDatabase = await verifyFromDatabase({
      merkle,
      pg,
      checkpoint,
      publicKeyPem: fs.readFileSync(hub.signingKey.publicFile, 'utf8'),
    });
    direct = fromDatabase;
    log(
      `audit: library verify ${fromDatabase.ok ? 'ok' : 'FAILED'} ${fromDatabase.entriesPerSecond.toLocaleString('en-US')} entries/s`,
    );
  }
  return { inMemory, direct };
}

/** The report's lines for the section. */
export function auditScaleRows({
  write,
  verify,
  inMemory,
  direct,
  inclusion,
  trail,
}: {
  write: Pick<WriteStep, 'entriesPerSecond' | 'seconds' | 'averageEntryBytes' | 'tableSizes'>;
  verify: VerifyOutcome;
  inMemory: { entriesPerSecond: number; checkedEntries: number; seconds: number | null; ok: boolean };
  direct: LibraryVerify;
  inclusion: SequentialLatency;
  trail: SequentialLatency & { averageEntries: number };
}): [string, string][] {
  const fmt = (v: number | null) => (v as number).toLocaleString('en-US');
  const sizes = write.tableSizes;
  return [
    [
      'synthetic write (hash + insert), entries/s',
      `${fmt(write.entriesPerSecond)} (${write.seconds} s; ${write.averageEntryBytes} B/entry; ${sizes.entries} + ${sizes.nodes})`,
    ],
    [
      'verify CLI over HTTP, entries/s',
      `${fmt(verify.entriesPerSecond)} (${fmt(verify.checkedEntries)} entries in ${verify.seconds} s, ${verify.ok ? 'VERIFIED' : 'FAILED'}; machine busy ${verify.machineBusyPercent} %)`,
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
      `${trail.latencyMs.p50} / ${trail.latencyMs.p95} / ${trail.latencyMs.p99} / ${trail.latencyMs.max} (${trail.averageEntries} entries each; machine busy ${trail.machineBusyPercent} %)`,
    ],
  ];
}

/** The section: a fresh audit log of `entries` synthetic entries, served by the audit-log, timed as an auditor. */
export async function runAuditScale(options: AuditScaleOptions): Promise<AuditResult> {
  const { hub, cleanup, sampler, root } = options;
  const source = hubSource();
  const gateway = createClient(hub.urls['agency-gateway']);
  const audit = createClient(hub.urls['audit-log']);
  try {
    const { auditorKey } = await prepareFreshAuditLog({ hub, cleanup, sampler, gateway, root });
    const pg = new Client({ connectionString: hub.auditDatabaseUrl, application_name: 'bench-audit-writer' });
    await pg.connect();
    try {
      const { written, write } = await writeStep(options, source, pg);
      await serveLog(options);
      const checkpointResponse = await audit.request('GET', '/v1/audit/checkpoint', { key: auditorKey });
      if (checkpointResponse.status !== 200)
        throw new Error(
          `GET /v1/audit/checkpoint: ${checkpointResponse.status} ${JSON.stringify(checkpointResponse.body)}`,
        );
      const checkpoint = checkpointResponse.body as Checkpoint;
      const served: ServedLog = { options, merkle: source.merkle, audit, auditorKey, written };
      const { inclusionProof, trail } = await proofAndTrailLatency(served);
      const { verify, verifyProfiles } = await verifyWithCli(served);
      const { inMemory, direct } = await verifyWithLibrary(served, pg, checkpoint, verify.seconds);
      return {
        status: 'measured',
        note:
          'SYNTHETIC entries in the current leaf formats (audit-facts.ts: one routing fact per version, one fact per stream batch or page; ~6.5 per alert) ' +
          "written directly with libs/merkle and the audit-log's own entry and subject functions; the service then serves and verifies them",
        entries: written.treeSize,
        write,
        checkpoint: { treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash },
        verify,
        verifyLibraryInMemory: inMemory,
        verifyLibraryFromDatabase: direct,
        ...(verifyProfiles ? { verifyProfiles } : {}),
        inclusionProof,
        trail,
        rows: auditScaleRows({ write, verify, inMemory, direct, inclusion: inclusionProof, trail }),
      };
    } finally {
      await pg.end().catch(() => undefined);
    }
  } finally {
    gateway.close();
    audit.close();
  }
}
