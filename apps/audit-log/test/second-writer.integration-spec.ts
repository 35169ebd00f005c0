import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { HubService } from '@hub/contracts/topics';
import { verifyLogOverHttp } from '@hub/merkle';
import { expectEventually } from '@hub/testing';
import { AuditLogWriter } from '../src/log/audit-log.writer';
import { SealedTreeReader } from '../src/log/sealed-tree';
import { loadCheckpointKey } from '../src/signing/checkpoint-key';
import { allEntries, auditGet, Auditor, checkpoint, CONSUMED_WITHIN_MS, env, newAuditor } from './audit-test-support';

/**
 * The service's writer keeps the tip of the tree in memory between appends (issue 13). Another writer — a second
 * replica with the same key, here one built in this process — appending in between must not fork the log: the
 * service's next append collides with the rows it did not write, re-reads the tip, checks it against the seal and
 * appends after it.
 */
describe('a second writer appending between two appends of the service', () => {
  let dataSource: DataSource;
  let secondReplica: AuditLogWriter;
  let auditor: Auditor;

  beforeAll(async () => {
    dataSource = new DataSource({ type: 'postgres', url: env.databaseUrl, applicationName: 'second-writer-spec' });
    await dataSource.initialize();
    // The key of the service under test (a local run generates it once at .hub/audit-signing-key.pem).
    const key = loadCheckpointKey(
      { AUDIT_SIGNING_KEY: '', AUDIT_SIGNING_KEY_FILE: '' },
      { cwd: path.resolve(__dirname, '..', '..', '..') },
    );
    secondReplica = new AuditLogWriter(dataSource, new SealedTreeReader(key), key);
    auditor = await newAuditor();
  }, 240_000);

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('keeps one total order: the service appends after the other replica, and the whole log verifies', async () => {
    // The service has appended (the auditor's own queries are audited), so its tip is in memory.
    await expectEventually(async () => (await checkpoint(auditor.key)).treeSize > 0, {
      timeoutMs: CONSUMED_WITHIN_MS,
      description: 'a non-empty log',
    });
    const eventId = `second-replica-${Date.now()}`;
    const [appended] = await secondReplica.append([
      {
        eventId,
        type: 'alert.acked',
        at: new Date().toISOString(),
        actor: { agencyId: auditor.agencyId, role: 'auditor' },
        reason: 'actioned',
        details: {},
        producer: HubService.AgencyGateway,
      },
    ]);
    expect(appended).toMatchObject({ eventId, appended: true });
    const ours = appended.seq!;

    // Each checkpoint request is itself an audited query, appended by the service on its (now stale) tip.
    const after = await expectEventually(
      async () => {
        const latest = await checkpoint(auditor.key);
        return latest.treeSize > ours + 1 ? latest : false;
      },
      { timeoutMs: CONSUMED_WITHIN_MS, description: "the service appending after the other replica's entry" },
    );
    const entries = await allEntries(auditor.key);
    expect(
      entries.filter((item) => (item.entry as { eventId?: string }).eventId === eventId).map((item) => item.seq),
    ).toEqual([ours]);
    expect(entries.slice(0, after.treeSize).map((item) => item.seq)).toEqual([...Array(after.treeSize).keys()]);

    const publicKeyPem = (await auditGet(auditor.key, '/v1/audit/public-key')).body.publicKeyPem;
    const result = await verifyLogOverHttp({ baseUrl: env.audit, apiKey: auditor.key, publicKeyPem });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });
});
