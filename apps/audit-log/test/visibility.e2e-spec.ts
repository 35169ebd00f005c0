import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  hashFromHex,
  leafHashOfUtf8,
  loadEd25519PublicKey,
  runVerifyCli,
  verifyCheckpointSignature,
  verifyInclusion,
} from '@hub/merkle';
import {
  alertBody,
  api,
  awaitDeliveries,
  createAgency,
  expectEventually,
  inbox,
  submitAccepted,
  TestAgency,
} from '@hub/testing';
import { auditGet, Auditor, CONSUMED_WITHIN_MS, env, newAuditor, trail } from './audit-test-support';

describe('point-in-time visibility (GET /v1/audit/visibility, verify --visibility)', () => {
  let sender: TestAgency;
  let x: TestAgency;
  let y: TestAgency;
  let auditor: Auditor;
  let shared: string;
  let secret: string;
  let before: string;
  let at: string;
  let publicKeyPem: string;

  beforeAll(async () => {
    [sender, x, y] = await Promise.all([createAgency('TJ'), createAgency('KG'), createAgency('UZ')]);
    auditor = await newAuditor();
    publicKeyPem = (await auditGet(auditor.key, '/v1/audit/public-key')).body.publicKeyPem;
    before = new Date().toISOString();
    shared = (await submitAccepted(sender.key, alertBody([x.id]))).alertId;
    secret = (await submitAccepted(sender.key, alertBody([y.id], { tlp: 'RED', handlingCode: 'H2' }))).alertId;
    await awaitDeliveries(x.key, shared, (entries) => entries.length === 1);
    await awaitDeliveries(y.key, secret, (entries) => entries.length === 1);
    await inbox(x.key); // X reads its inbox: one inbox.read fact naming the shared alert
    expect((await api(env.gateway, 'GET', `/v1/alerts/${secret}`, { key: x.key })).status).toBe(404); // denied
    // every fact in the log before T
    await expectEventually(
      async () => {
        const types = [...(await trail(auditor.key, shared)), ...(await trail(auditor.key, secret))].map((e) => e.type);
        return ['routing.decided', 'alert.delivered', 'inbox.read', 'access.denied'].every((t) => types.includes(t));
      },
      { timeoutMs: CONSUMED_WITHIN_MS, description: 'the facts in the audit log' },
    );
    at = new Date().toISOString();
  });

  it('entitled, delivered, read and denied — each proven by a fact included under a signed checkpoint', async () => {
    const answer = await auditGet(auditor.key, `/v1/audit/visibility?agency=${x.id}&at=${at}`);
    expect(answer.status).toBe(200);
    const body = answer.body;
    expect(body.entitled).toEqual([expect.objectContaining({ alertId: shared, version: 1, reason: 'ADDRESSED' })]);
    expect(body.delivered).toEqual([expect.objectContaining({ alertId: shared, version: 1, kind: 'alert' })]);
    expect(body.read).toEqual(
      expect.arrayContaining([expect.objectContaining({ alertId: shared, version: 1, how: 'inbox.read' })]),
    );
    expect(body.denied).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ alertId: secret, version: 1, how: 'withheld' }),
        expect.objectContaining({ alertId: secret, how: 'access-denied', reason: 'not-a-recipient' }),
      ]),
    );
    expect(
      body.entitled
        .concat(body.delivered, body.read, body.denied)
        .some((item: { alertId: string }) => item.alertId !== shared && item.alertId !== secret),
    ).toBe(false);

    // independently of the service: the checkpoint's signature, and each fact's leaf and inclusion proof
    expect(verifyCheckpointSignature(body.checkpoint, loadEd25519PublicKey(publicKeyPem))).toBe(true);
    expect(Date.parse(body.checkpoint.timestamp)).toBeGreaterThanOrEqual(Date.parse(at));
    const bySeq = new Map(body.facts.map((f: { seq: number }) => [f.seq, f]));
    for (const item of body.entitled.concat(body.delivered, body.read, body.denied)) {
      const fact = bySeq.get(item.seq) as { seq: number; entry: string; leafHash: string; proof: string[] };
      expect(fact).toBeDefined();
      const leaf = leafHashOfUtf8(fact.entry);
      expect(leaf.toString('hex')).toBe(fact.leafHash);
      expect(
        verifyInclusion(
          leaf,
          fact.seq,
          body.checkpoint.treeSize,
          fact.proof.map(hashFromHex),
          hashFromHex(body.checkpoint.rootHash),
        ),
      ).toBe(true);
    }

    // before anything happened, X could see nothing of these alerts
    const earlier = (await auditGet(auditor.key, `/v1/audit/visibility?agency=${x.id}&at=${before}`)).body;
    expect(
      [...earlier.entitled, ...earlier.delivered, ...earlier.read, ...earlier.denied].filter(
        (i: { alertId: string }) => i.alertId === shared || i.alertId === secret,
      ),
    ).toEqual([]);
    // Y was entitled to the secret alert, not to the shared one
    const ofY = (await auditGet(auditor.key, `/v1/audit/visibility?agency=${y.id}&at=${at}`)).body;
    expect(ofY.entitled.map((i: { alertId: string }) => i.alertId)).toEqual([secret]);

    expect(
      (
        await auditGet(
          auditor.key,
          `/v1/audit/visibility?agency=${x.id}&at=${new Date(Date.now() + 3_600_000).toISOString()}`,
        )
      ).status,
    ).toBe(400);
    const bad = await auditGet(auditor.key, `/v1/audit/visibility?agency=nobody&at=${at}`);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('agency');
    expect((await auditGet(x.key, `/v1/audit/visibility?agency=${x.id}&at=${at}`)).status).toBe(403);
  });

  it('verify --visibility checks the answer offline; an answer with an item taken out fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'visibility-'));
    writeFileSync(join(dir, 'key.pem'), publicKeyPem);
    const lines: string[] = [];
    const args = [
      '--url',
      env.audit,
      '--key',
      auditor.key,
      '--public-key',
      join(dir, 'key.pem'),
      '--visibility',
      x.id,
      '--at',
      at,
    ];
    const code = await runVerifyCli(args, { stdout: (line) => lines.push(line), stderr: (line) => lines.push(line) });
    expect(lines.join('\n')).toContain(`Visibility of ${x.id} at ${at}: VERIFIED`);
    expect(code).toBe(0);

    // a server that hides the denial from the answer
    const hiding: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).includes('/v1/audit/visibility')) return response;
      const body = (await response.json()) as any;
      body.denied = body.denied.filter((d: { how: string }) => d.how !== 'access-denied');
      body.facts = body.facts.filter((f: { entry: string }) => !f.entry.includes('"access.denied"'));
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const tampered: string[] = [];
    const failed = await runVerifyCli(args, {
      stdout: (line) => tampered.push(line),
      stderr: (line) => tampered.push(line),
      fetch: hiding,
    });
    expect(failed).toBe(1);
    expect(tampered.join('\n')).toMatch(/VERIFICATION FAILED[\s\S]*the answer is not complete/);
  });
});
