import { Client } from 'pg';
import { withCredentials } from '@hub/database/migrate';
import { AuditEntryView as MerkleEntryView, Checkpoint, parseCheckpoint } from '@hub/merkle';
import {
  api,
  ApiResponse,
  createAgency,
  expectEventually,
  issueKey,
  testEnvironment,
  withDatabaseClient,
} from '@hub/testing';
import { AuditEntryView } from '../src/auditor/entry-view';

export type { AuditEntryView };

export const env = testEnvironment();

/**
 * How long to wait for anything that goes through the audit log's Kafka consumer. Test files run in any order, and
 * one that restarts the broker (health, the 503 case below) leaves the consumer group rejoining for about a session
 * timeout (30 s) after the broker is back, on top of normal latency.
 */
export const CONSUMED_WITHIN_MS = 90_000;

export interface Auditor {
  agencyId: string;
  key: string;
  keyId: string;
}

/** A fresh auditor key, once the audit log's replica of the credentials topic knows it. */
export async function newAuditor(): Promise<Auditor> {
  const centre = await createAgency('KZ', 'regional-centre');
  const issued = await issueKey(centre.id, 'auditor');
  await expectEventually(async () => (await auditGet(issued.key, '/v1/audit/public-key')).status === 200, {
    timeoutMs: CONSUMED_WITHIN_MS,
    description: 'the audit log accepting the new auditor key',
  });
  return { agencyId: centre.id, key: issued.key, keyId: issued.keyId };
}

export function auditGet<T = any>(key: string, path: string): Promise<ApiResponse<T>> {
  return api<T>(env.audit, 'GET', path, { key });
}

export async function checkpoint(key: string): Promise<Checkpoint> {
  const response = await auditGet(key, '/v1/audit/checkpoint');
  if (response.status !== 200) throw new Error(`checkpoint: ${response.status} ${JSON.stringify(response.body)}`);
  return parseCheckpoint(response.body);
}

/** The whole trail of an alert, following nextCursor. */
export async function trail(key: string, alertId: string, pageSize?: number): Promise<AuditEntryView[]> {
  const items: AuditEntryView[] = [];
  let after: string | null = null;
  do {
    const params: URLSearchParams = new URLSearchParams({
      ...(pageSize ? { limit: String(pageSize) } : {}),
      ...(after === null ? {} : { after }),
    });
    const response: ApiResponse<{ items: AuditEntryView[]; nextCursor: string | null }> = await auditGet(
      key,
      `/v1/audit/alerts/${encodeURIComponent(alertId)}/trail?${params}`,
    );
    if (response.status !== 200) throw new Error(`trail: ${response.status} ${JSON.stringify(response.body)}`);
    items.push(...response.body.items);
    after = response.body.nextCursor;
  } while (after !== null);
  return items;
}

/** Every entry matching the query, following nextCursor. */
export async function allEntries(key: string, query: Record<string, string> = {}): Promise<AuditEntryView[]> {
  const items: AuditEntryView[] = [];
  let after: string | null = null;
  do {
    const params: URLSearchParams = new URLSearchParams({
      ...query,
      limit: '1000',
      ...(after === null ? {} : { after }),
    });
    const page: ApiResponse<{ items: AuditEntryView[]; nextCursor: string | null }> = await auditGet(
      key,
      `/v1/audit/entries?${params}`,
    );
    if (page.status !== 200) throw new Error(`entries: ${page.status} ${JSON.stringify(page.body)}`);
    items.push(...page.body.items);
    after = page.body.nextCursor;
  } while (after !== null);
  return items;
}

/** The test database as its owner, a superuser: what a rogue database administrator could do. */
export async function asSuperuser<T>(work: (client: Client) => Promise<T>): Promise<T> {
  return withDatabaseClient(env.databaseUrl, work);
}

/** The audit log's own runtime role, hub_audit. */
export async function asServiceRole<T>(work: (client: Client) => Promise<T>): Promise<T> {
  return withDatabaseClient(
    withCredentials(env.databaseUrl, 'hub_audit', process.env.HUB_DB_APP_PASSWORD || 'hub-local-only'),
    work,
  );
}

/** The seq an event got in the log, once it is there. */
export async function seqOfEvent(eventId: string): Promise<number> {
  const found = await expectEventually(
    () =>
      asSuperuser(async (db) => {
        const { rows } = await db.query(`SELECT seq::int AS seq FROM audit.entries WHERE event_id = $1`, [eventId]);
        return rows.length === 1 ? { seq: rows[0].seq as number } : false;
      }),
    { timeoutMs: CONSUMED_WITHIN_MS, description: `audit event ${eventId} in the log` },
  );
  return found.seq;
}

/** Entries as libs/merkle's verifier takes them (it reads seq, entry and leafHash). */
export function asVerifierPage(items: readonly AuditEntryView[]): MerkleEntryView[] {
  return items as unknown as MerkleEntryView[];
}
