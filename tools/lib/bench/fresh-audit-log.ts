/**
 * What both ways of building the audit log at scale share (audit-scale.ts: synthetic entries; audit-services.ts:
 * through the audit-log service): a fresh, migrated audit database with an auditor key, child processes (migrate,
 * the verify CLI) and what the verify CLI printed.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import type { CleanupRegistry } from '../cleanup';
import { ensureDatabase } from '../postgres';
import type { BenchHub } from './environment';
import type { HttpClient } from './exchange';
import { round1, type BusyMeter, type ResourceSampler } from './metrics';
import type { VerifyOutcome } from './results';

export interface ProcessOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a child process to its end, collecting its output. */
export function runProcess(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<ProcessOutput> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The number the verify CLI prints after "entries checked:" (0 when it printed none). */
export function checkedOf(stdout: string): number {
  return Number((/entries checked:\s+(\d+)/.exec(stdout) || [])[1] || 0);
}

/** What a run of the verify CLI said: passed or not, how many entries, how fast, and the machine's busy % meanwhile. */
export function verifyOutcome(cli: ProcessOutput, seconds: number, busy: BusyMeter): VerifyOutcome {
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

/** The audit-log's CLI in dist (main.js verify | migrate). */
export const auditLogMain = (root: string) => path.join(root, 'dist', 'apps', 'audit-log', 'main.js');

interface CredentialRow {
  key_id: string;
  record: unknown;
  updated_at: Date;
}

/**
 * An auditor key (replicated to the audit-log's credential table first), then the audit-log stopped and a fresh,
 * migrated audit database (<bench database>_audit) holding a copy of those credentials, ready for the service to
 * be started on it. Returns the auditor key.
 */
export async function prepareFreshAuditLog({
  hub,
  cleanup,
  sampler,
  gateway,
  root,
}: {
  hub: BenchHub;
  cleanup: CleanupRegistry;
  sampler?: ResourceSampler | null;
  gateway: HttpClient;
  root: string;
}): Promise<{ auditorKey: string }> {
  const issued = await issueAuditorKey(hub, gateway);
  const credentials = await replicatedCredentials(hub, issued.keyId);
  const auditDatabase = hub.auditDatabaseName;
  const auditHandle = hub.handles.find((h) => h.app === 'audit-log');
  sampler?.retire('audit-log');
  await auditHandle?.stop();
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
  const migrated = await runProcess(process.execPath, [auditLogMain(root), 'migrate'], env);
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
  return { auditorKey: issued.key };
}

/** An auditor key of a regional-centre agency of the bench's own. */
async function issueAuditorKey(hub: BenchHub, gateway: HttpClient): Promise<{ key: string; keyId: string }> {
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
  return issued.body as { key: string; keyId: string };
}

/** The audit-log's credential replica once it holds the key `keyId` (waits up to 2 minutes). */
async function replicatedCredentials(hub: BenchHub, keyId: string): Promise<CredentialRow[]> {
  const source = new Client({ connectionString: hub.databaseUrl });
  await source.connect();
  let credentials: CredentialRow[] = [];
  const deadline = Date.now() + 120000;
  while (Date.now() < deadline) {
    credentials = (await source.query<CredentialRow>('SELECT key_id, record, updated_at FROM audit.credentials')).rows;
    if (credentials.some((row) => row.key_id === keyId)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await source.end();
  if (!credentials.some((row) => row.key_id === keyId))
    throw new Error('the auditor key did not reach the audit-log credential replica');
  return credentials;
}
