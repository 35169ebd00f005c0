import { randomUUID } from 'node:crypto';
import { AuditEventType } from '@hub/contracts/audit-event';
import {
  auditEntryLeafHash,
  CompactMerkleTree,
  hashFromHex,
  hashToHex,
  loadEd25519PublicKey,
  verifyCheckpointSignature,
  verifyConsistency,
} from '@hub/merkle';
import { api, createAgency, expectEventually, issueKey, queryDatabase, startBroker, stopBroker } from '@hub/testing';
import { CSV_COLUMNS } from '../src/auditor/entry-view';
import {
  allEntries,
  Auditor,
  AuditEntryView,
  auditGet,
  checkpoint,
  CONSUMED_WITHIN_MS,
  env,
  newAuditor,
} from './audit-test-support';

// Several steps below wait on the consumer (CONSUMED_WITHIN_MS each), which can be slow right after a broker restart.
jest.setTimeout(240_000);

const ENDPOINTS = [
  '/v1/audit/entries',
  '/v1/audit/alerts/00000000-0000-4000-8000-000000000000/trail',
  '/v1/audit/checkpoint',
  '/v1/audit/public-key',
  '/v1/audit/proofs/inclusion?seq=0',
  '/v1/audit/proofs/consistency?from=0',
  '/v1/audit/export?format=ndjson',
  '/v1/audit/export?format=csv',
];

describe('the auditor API', () => {
  let auditor: Auditor;

  beforeAll(async () => {
    auditor = await newAuditor();
    await expectEventually(async () => (await checkpoint(auditor.key)).treeSize >= 2, {
      timeoutMs: CONSUMED_WITHIN_MS,
      description: 'a log of 2 entries or more',
    });
  }, 240_000);

  describe('access', () => {
    it.each(['agency', 'analyst'] as const)(
      'refuses a key with role %s on every endpoint (403), and audits the attempt',
      async (role) => {
        const agency = await createAgency('TJ', role === 'analyst' ? 'regional-centre' : 'national-agency');
        const key = role === 'agency' ? agency.key : (await issueKey(agency.id, role)).key;
        // The audit log learns keys from the credentials topic: wait until this one is known (then 403, not 401).
        await expectEventually(async () => (await auditGet(key, ENDPOINTS[0])).status === 403, {
          timeoutMs: CONSUMED_WITHIN_MS,
          description: `the ${role} key replicated`,
        });
        for (const endpoint of ENDPOINTS) {
          const response = await auditGet(key, endpoint);
          expect({ endpoint, status: response.status, error: response.body?.error }).toEqual({
            endpoint,
            status: 403,
            error: 'forbidden',
          });
        }
        const denials = await expectEventually(
          async () => {
            const found = (
              await allEntries(auditor.key, { type: AuditEventType.AccessDenied, agency: agency.id })
            ).filter((item) => (item.details as { path?: string } | null)?.path?.startsWith('/v1/audit/'));
            return found.length >= ENDPOINTS.length ? found : false;
          },
          { timeoutMs: CONSUMED_WITHIN_MS, description: 'the denied attempts in the log' },
        );
        expect(denials[0].actor).toMatchObject({ agencyId: agency.id, role });
      },
    );

    it('refuses a request without a key (401)', async () => {
      for (const endpoint of ENDPOINTS) expect((await api(env.audit, 'GET', endpoint)).status).toBe(401);
    });

    it("records the auditor's own queries in the log, with who asked and what", async () => {
      const probe = randomUUID();
      expect((await auditGet(auditor.key, `/v1/audit/entries?alertId=${probe}&limit=5`)).status).toBe(200);
      expect((await auditGet(auditor.key, `/v1/audit/alerts/${probe}/trail`)).status).toBe(200);
      const recorded = await expectEventually(
        async () => {
          const queries = (
            await allEntries(auditor.key, { type: AuditEventType.AuditQueried, agency: auditor.agencyId })
          ).filter((item) => JSON.stringify(item.details).includes(probe));
          return queries.length === 2 ? queries : false;
        },
        { timeoutMs: CONSUMED_WITHIN_MS, description: "the auditor's queries in the log" },
      );
      expect(recorded.map((item) => item.details)).toEqual([
        { endpoint: 'GET /v1/audit/entries', query: { alertId: probe, limit: 5 } },
        { endpoint: 'GET /v1/audit/alerts/{alertId}/trail', query: { alertId: probe } },
      ]);
      for (const item of recorded)
        expect(item.actor).toEqual({ agencyId: auditor.agencyId, keyId: auditor.keyId, role: 'auditor' });
    });
  });

  describe('bad query parameters', () => {
    it.each([
      ['/v1/audit/entries?limit=0', 'limit'],
      ['/v1/audit/entries?limit=1001', 'limit'],
      ['/v1/audit/entries?after=yesterday', 'after'],
      ['/v1/audit/entries?type=alert.exploded', 'type'],
      ['/v1/audit/entries?from=2026-05-01', 'from'],
      ['/v1/audit/entries?to=noon', 'to'],
      ['/v1/audit/entries?from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z', 'to'],
      ['/v1/audit/entries?agency=tajik%20customs', 'agency'],
      ['/v1/audit/entries?colour=blue', 'colour'],
      ['/v1/audit/proofs/inclusion', 'seq'],
      ['/v1/audit/proofs/inclusion?seq=-1', 'seq'],
      ['/v1/audit/proofs/inclusion?seq=0&treeSize=1000000000', 'treeSize'],
      ['/v1/audit/proofs/inclusion?seq=5&treeSize=5', 'seq'],
      ['/v1/audit/proofs/consistency?from=x', 'from'],
      ['/v1/audit/proofs/consistency?from=2&to=1', 'from'],
      ['/v1/audit/proofs/consistency?from=0&to=1000000000', 'to'],
      ['/v1/audit/export?format=xml', 'format'],
    ])('%s → 400 naming %s', async (path, param) => {
      const response = await auditGet(auditor.key, path);
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('validation_failed');
      expect(response.body.details.map((detail: { path: string }) => detail.path)).toContain(param);
    });
  });

  describe('checkpoints and proofs', () => {
    it('signs checkpoints with the published Ed25519 key, and proves each later one consistent with an earlier one', async () => {
      const { body: published } = await auditGet(auditor.key, '/v1/audit/public-key');
      expect(published).toMatchObject({ algorithm: 'Ed25519', keyId: expect.stringMatching(/^[0-9a-f]{16}$/) });
      const publicKey = loadEd25519PublicKey(published.publicKeyPem);
      const older = await checkpoint(auditor.key);
      // The query for the checkpoint is itself an entry, so the log grows by the time of the next one.
      const newer = await expectEventually(
        async () => {
          const latest = await checkpoint(auditor.key);
          return latest.treeSize > older.treeSize ? latest : false;
        },
        { timeoutMs: CONSUMED_WITHIN_MS, description: 'a larger tree' },
      );
      for (const signed of [older, newer]) {
        expect(signed.keyId).toBe(published.keyId);
        expect(verifyCheckpointSignature(signed, publicKey)).toBe(true);
      }
      const { status, body } = await auditGet(
        auditor.key,
        `/v1/audit/proofs/consistency?from=${older.treeSize}&to=${newer.treeSize}`,
      );
      expect(status).toBe(200);
      expect(body).toMatchObject({ from: older.treeSize, to: newer.treeSize });
      const proof = body.proof.map(hashFromHex);
      expect(
        verifyConsistency(
          older.treeSize,
          newer.treeSize,
          hashFromHex(older.rootHash),
          hashFromHex(newer.rootHash),
          proof,
        ),
      ).toBe(true);
      // The same proof does not connect a different older root: it is evidence about these two trees only.
      expect(
        verifyConsistency(
          older.treeSize,
          newer.treeSize,
          auditEntryLeafHash('another history'),
          hashFromHex(newer.rootHash),
          proof,
        ),
      ).toBe(false);
    });

    it('keeps every checkpoint it issued, append-only', async () => {
      const issued = await checkpoint(auditor.key);
      const [stored] = await queryDatabase(
        `SELECT tree_size::int, root_hash, signed_at, key_id, signature, requested_by FROM audit.checkpoints WHERE signature = $1`,
        [issued.signature],
      );
      expect(stored).toEqual({
        tree_size: issued.treeSize,
        root_hash: issued.rootHash,
        signed_at: issued.timestamp,
        key_id: issued.keyId,
        signature: issued.signature,
        requested_by: auditor.keyId,
      });
    });
  });

  describe('entries and export', () => {
    it('pages through the log in order with nextCursor, ending with null', async () => {
      const first = await auditGet(auditor.key, '/v1/audit/entries?limit=2');
      expect(first.status).toBe(200);
      expect(first.body.items.map((item: AuditEntryView) => item.seq)).toEqual([0, 1]);
      expect(first.body.nextCursor).toBe('1');
      const second = await auditGet(auditor.key, `/v1/audit/entries?limit=2&after=${first.body.nextCursor}`);
      expect(second.body.items[0].seq).toBe(2);
      const last = await auditGet(auditor.key, `/v1/audit/entries?limit=1000&after=1000000000`);
      expect(last.body).toEqual({ items: [], nextCursor: null });
    });

    it('filters by type, agency and time', async () => {
      const since = new Date(Date.now() - 60_000).toISOString();
      const agency = await createAgency('UZ');
      const created = await expectEventually(
        async () =>
          (
            await allEntries(auditor.key, { type: AuditEventType.AdminAgencyCreated, agency: agency.id, from: since })
          )[0],
        { timeoutMs: CONSUMED_WITHIN_MS, description: 'the admin action about the new agency' },
      );
      expect(created).toMatchObject({ type: AuditEventType.AdminAgencyCreated, recipient: agency.id });
      expect(
        await allEntries(auditor.key, { type: AuditEventType.AdminAgencyCreated, agency: agency.id, to: since }),
      ).toEqual([]);
    });

    it('exports NDJSON and CSV streams of a fixed prefix of the log that rebuild the signed root', async () => {
      const signed = await checkpoint(auditor.key);
      const ndjson = await fetch(`${env.audit}/v1/audit/export?format=ndjson`, {
        headers: { authorization: `Bearer ${auditor.key}` },
      });
      expect(ndjson.status).toBe(200);
      expect(ndjson.headers.get('content-type')).toMatch(/application\/x-ndjson/);
      const exportedSize = Number(ndjson.headers.get('x-audit-tree-size'));
      expect(exportedSize).toBeGreaterThanOrEqual(signed.treeSize);
      const lines = (await ndjson.text())
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as AuditEntryView);
      expect(lines.map((line) => line.seq)).toEqual(Array.from({ length: exportedSize }, (_, seq) => seq));
      const tree = new CompactMerkleTree();
      for (const line of lines.slice(0, signed.treeSize)) {
        const leaf = auditEntryLeafHash(line.entry);
        expect(hashToHex(leaf)).toBe(line.leafHash);
        tree.append(leaf);
      }
      expect(hashToHex(tree.root())).toBe(signed.rootHash);

      const csv = await fetch(`${env.audit}/v1/audit/export?format=csv&type=${AuditEventType.AuditQueried}`, {
        headers: { authorization: `Bearer ${auditor.key}` },
      });
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
      const [header, ...rows] = (await csv.text()).split('\r\n').filter(Boolean);
      expect(header).toBe(CSV_COLUMNS.join(','));
      // seq, at and type never need quoting, so the first three fields can be read without a CSV parser.
      const csvRows = rows.map((row) => row.split(',', 3));
      for (const [, , type] of csvRows) expect(type).toBe(AuditEventType.AuditQueried);
      const csvSeqs = new Set(csvRows.map(([seq]) => Number(seq)));
      const queried = lines.filter((line) => line.type === AuditEventType.AuditQueried);
      expect(queried.length).toBeGreaterThan(0);
      for (const line of queried) expect(csvSeqs.has(line.seq)).toBe(true);
    });
  });

  it('answers 503, and does not answer the query, when it cannot be recorded in the log (Kafka down)', async () => {
    await stopBroker();
    try {
      const response = await auditGet(auditor.key, '/v1/audit/checkpoint');
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ error: 'unavailable' });
      expect(response.body.treeSize).toBeUndefined();
    } finally {
      await startBroker();
    }
    await expectEventually(async () => (await auditGet(auditor.key, '/v1/audit/checkpoint')).status === 200, {
      timeoutMs: CONSUMED_WITHIN_MS,
      description: 'the audit log answering again',
    });
    // And consuming again: a query made now reaches the log (so the next test file starts from a working hub).
    const probe = randomUUID();
    expect((await auditGet(auditor.key, `/v1/audit/alerts/${probe}/trail`)).status).toBe(200);
    await expectEventually(
      async () =>
        (await allEntries(auditor.key, { type: AuditEventType.AuditQueried, agency: auditor.agencyId })).some((item) =>
          JSON.stringify(item.details).includes(probe),
        ),
      { timeoutMs: CONSUMED_WITHIN_MS, description: 'the audit log consuming again' },
    );
  }, 300_000);
});
