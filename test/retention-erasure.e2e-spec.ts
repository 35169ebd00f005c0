import { spawnSync } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuditEventType } from '@hub/contracts/audit-event';
import { HubService, Topic } from '@hub/contracts/topics';
import {
  ackNoteMatchesCommitment,
  Checkpoint,
  COMMITMENT_DOMAINS,
  CONTENT_COMMITMENT_SCHEME,
  contentMatchesCommitment,
  matchesSaltedCommitment,
  problemsMatchCommitment,
} from '@hub/merkle';
import {
  alertBody,
  api,
  awaitDeliveries,
  createAgency,
  expectEventually,
  inbox,
  queryDatabase,
  restartedWith,
  submitAccepted,
  TestAgency,
  testKafka,
} from '@hub/testing';
import {
  allEntries,
  Auditor,
  auditGet,
  AuditEntryView,
  checkpoint,
  CONSUMED_WITHIN_MS,
  env,
  newAuditor,
  trail,
} from '../apps/audit-log/test/audit-test-support';
import {
  analystKey,
  awaitFeedEntries,
  correlationsOf,
  feedAfter,
  feedHead,
} from '../apps/coordination-node/test/monitoring-fixtures';
import { uniqueContainerNumber } from '@hub/testing';

const MAIN_JS = path.resolve(__dirname, '..', 'dist', 'apps', 'audit-log', 'main.js');

/** A marker no other test writes: nine digits, so that it can be a phone number's subscriber part as well. */
function newMarker(): string {
  return String(randomInt(100_000_000, 999_999_999));
}

/** An alert carrying the marker in its headline, its description and a phone number (written without separators). */
function markedAlert(recipients: string[], marker: string, overrides: Record<string, unknown> = {}) {
  const body = alertBody(recipients, overrides);
  return {
    ...body,
    headline: `Courier network ${marker}`,
    description: `Calls to ${marker} traced to the crossing; see the phone subject.`,
    subjects: [...body.subjects, { type: 'phone', number: `+992${marker}` }],
  };
}

/** A body that class-validator refuses naming the marker: an unknown property is reported by its key (`x<marker>`). */
function withMarkedProperty(body: Record<string, unknown>, marker: string): Record<string, unknown> {
  return { ...body, [`x${marker}`]: true };
}

/** The whole hub database as pg_dump writes it (every schema: gateway, coordination, audit). */
function dumpDatabase(): string {
  const dumped = spawnSync('pg_dump', ['--no-owner', '--no-privileges', env.databaseUrl], {
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (dumped.status !== 0) throw new Error(`pg_dump: ${dumped.stderr}`);
  expect(dumped.stdout).toContain('COPY gateway.alert_versions');
  return dumped.stdout;
}

async function erasedEverywhere(alertId: string): Promise<void> {
  await expectEventually(
    async () => {
      const gateway = await queryDatabase(
        `SELECT 1 FROM gateway.alerts WHERE alert_id = $1 AND erased_at IS NOT NULL`,
        [alertId],
      );
      const node = await queryDatabase(`SELECT 1 FROM coordination.erased_alerts WHERE alert_id = $1`, [alertId]);
      return gateway.length === 1 && node.length === 1;
    },
    { timeoutMs: CONSUMED_WITHIN_MS, description: `alert ${alertId} erased by the gateway and the node` },
  );
}

describe('retention and erasure: the content goes, the log still verifies', () => {
  let auditor: Auditor;
  let workDir: string;

  /** `npm run verify` (the built command) against the checkpoint saved in `file`. */
  function verifyCommand(file: string) {
    const result = spawnSync(
      process.execPath,
      [
        MAIN_JS,
        'verify',
        '--url',
        env.audit,
        '--key',
        auditor.key,
        '--public-key',
        path.join(workDir, 'log-key.pem'),
        '--checkpoint',
        file,
      ],
      { encoding: 'utf8', timeout: 120_000, env: { PATH: process.env.PATH } },
    );
    return { exitCode: result.status, output: `${result.stdout}${result.stderr}` };
  }

  async function saveCheckpoint(name: string): Promise<string> {
    const saved: Checkpoint = await checkpoint(auditor.key);
    const file = path.join(workDir, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify(saved));
    return file;
  }

  async function trailWith(alertId: string, type: AuditEventType): Promise<AuditEntryView[]> {
    return expectEventually(
      async () => {
        const entries = await trail(auditor.key, alertId);
        return entries.some((entry) => entry.type === type) ? entries : false;
      },
      { timeoutMs: CONSUMED_WITHIN_MS, description: `a ${type} entry in the trail of ${alertId}` },
    );
  }

  beforeAll(async () => {
    auditor = await newAuditor();
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'retention-erasure-'));
    fs.writeFileSync(
      path.join(workDir, 'log-key.pem'),
      (await auditGet(auditor.key, '/v1/audit/public-key')).body.publicKeyPem,
    );
  }, 240_000);

  afterAll(() => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  describe('erasure on request', () => {
    let sender: TestAgency;
    let recipient: TestAgency;
    let analyst: string;
    let marker: string;
    let alertId: string;
    let feedStart: string;

    beforeAll(async () => {
      [sender, recipient, analyst] = await Promise.all([createAgency('TJ'), createAgency('KG'), analystKey()]);
      marker = newMarker();
      feedStart = await feedHead(analyst);
      ({ alertId } = await submitAccepted(sender.key, markedAlert([recipient.id], marker)));
      await awaitDeliveries(recipient.key, alertId, (deliveries) => deliveries.length === 1);
      expect(
        (
          await api(env.gateway, 'POST', `/v1/alerts/${alertId}/ack`, {
            key: recipient.key,
            body: { version: 1, status: 'received', note: `Checking ${marker} with the Osh post` },
          })
        ).status,
      ).toBe(202);
      // A refused update whose problems echo the marker (the unknown property is named by its key).
      const refused = await api(env.gateway, 'POST', `/v1/alerts/${alertId}/versions`, {
        key: sender.key,
        body: withMarkedProperty({ ...markedAlert([recipient.id], marker), baseVersion: 1 }, marker),
      });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body.details)).toContain(marker);
    }, 240_000);

    it("an ack note and a refused update's problems are in the log as commitments only; an auditor opens and checks them", async () => {
      const entries = await expectEventually(
        async () => {
          const found = await trail(auditor.key, alertId);
          return [AuditEventType.AlertAcked, AuditEventType.AlertRejected].every((type) =>
            found.some((e) => e.type === type),
          )
            ? found
            : false;
        },
        { timeoutMs: CONSUMED_WITHIN_MS, description: 'the ack and the rejection in the trail' },
      );
      const acked = entries.find((entry) => entry.type === AuditEventType.AlertAcked)!;
      expect(JSON.stringify(acked.entry)).not.toContain(marker);
      expect(acked.details).not.toHaveProperty('note');
      expect(acked.details).toMatchObject({
        status: 'received',
        noteCommitment: { scheme: 'sha256-salted-v1', hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      });
      const noteHash = (acked.details as { noteCommitment: { hash: string } }).noteCommitment.hash;
      const ackId = String((acked.entry as { eventId: string }).eventId).replace(/^ack:/, '');

      const note = await api(env.gateway, 'GET', `/v1/audit/alerts/${alertId}/acks/${ackId}/commitment`, {
        key: auditor.key,
      });
      expect(note.status).toBe(200);
      expect(note.body).toMatchObject({
        alertId,
        eventId: `ack:${ackId}`,
        version: 1,
        recipient: recipient.id,
        status: 'received',
        commitment: noteHash,
      });
      expect(note.body.disclosed.note).toBe(`Checking ${marker} with the Osh post`);
      expect(ackNoteMatchesCommitment(noteHash, note.body.salt, note.body.disclosed)).toBe(true);
      expect(
        ackNoteMatchesCommitment(noteHash, note.body.salt, { note: `Checking ${marker} with the Osh post.` }),
      ).toBe(false);

      const rejected = entries.find((entry) => entry.type === AuditEventType.AlertRejected)!;
      expect(JSON.stringify(rejected.entry)).not.toContain(marker);
      expect(rejected.reason).toBeNull();
      expect(rejected.details).toMatchObject({
        problemCount: 1,
        problemsCommitment: { scheme: 'sha256-salted-v1', hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      });
      const problemsHash = (rejected.details as { problemsCommitment: { hash: string } }).problemsCommitment.hash;
      const eventId = (rejected.entry as { eventId: string }).eventId;
      const problems = await api(env.gateway, 'GET', `/v1/audit/rejections/${eventId}/commitment`, {
        key: auditor.key,
      });
      expect(problems.status).toBe(200);
      expect(problems.body).toMatchObject({ eventId, sender: sender.id, alertId, commitment: problemsHash });
      expect(problems.body.disclosed.problems[0].path).toBe(`x${marker}`);
      expect(problemsMatchCommitment(problemsHash, problems.body.salt, problems.body.disclosed)).toBe(true);
      expect(problemsMatchCommitment(problemsHash, problems.body.salt, { problems: [] })).toBe(false);

      // Auditors only; malformed ids are 400 naming them; unknown ones 404.
      expect(
        (await api(env.gateway, 'GET', `/v1/audit/alerts/${alertId}/acks/${ackId}/commitment`, { key: sender.key }))
          .status,
      ).toBe(403);
      expect(
        (await api(env.gateway, 'GET', `/v1/audit/alerts/${alertId}/acks/x/commitment`, { key: auditor.key })).body
          .details[0].path,
      ).toBe('ackId');
      expect(
        (await api(env.gateway, 'GET', `/v1/audit/rejections/nope/commitment`, { key: auditor.key })).body.details[0]
          .path,
      ).toBe('eventId');
      expect(
        (
          await api(env.gateway, 'GET', `/v1/audit/rejections/00000000-0000-4000-8000-000000000000/commitment`, {
            key: auditor.key,
          })
        ).status,
      ).toBe(404);
      expect(
        (await api(env.gateway, 'GET', `/v1/audit/alerts/${alertId}/acks/999999999/commitment`, { key: auditor.key }))
          .status,
      ).toBe(404);
    });

    it('the log holds a commitment, not the content, and the content shown to an auditor matches it', async () => {
      const entries = await trailWith(alertId, AuditEventType.AlertSubmitted);
      const submitted = entries.find((entry) => entry.type === AuditEventType.AlertSubmitted)!;
      expect(JSON.stringify(submitted.entry)).not.toContain(marker);
      expect(submitted.details).not.toHaveProperty('content');
      expect(submitted.details).toMatchObject({
        commitment: { scheme: 'sha256-salted-v1', hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      });

      const disclosed = await api(env.gateway, 'GET', `/v1/audit/alerts/${alertId}/versions/1/commitment`, {
        key: auditor.key,
      });
      expect(disclosed.status).toBe(200);
      expect(disclosed.body.disclosed.alert.headline).toContain(marker);
      const hash = (submitted.details as { commitment: { hash: string } }).commitment.hash;
      expect(disclosed.body.commitment).toBe(hash);
      expect(contentMatchesCommitment(hash, disclosed.body.salt, disclosed.body.disclosed)).toBe(true);
      // One changed character of the content no longer matches.
      const forged = {
        ...disclosed.body.disclosed,
        alert: { ...disclosed.body.disclosed.alert, headline: `Courier network ${marker}.` },
      };
      expect(contentMatchesCommitment(hash, disclosed.body.salt, forged)).toBe(false);
      // An agency key is not an auditor's; a version that does not exist is 404.
      expect(
        (await api(env.gateway, 'GET', `/v1/audit/alerts/${alertId}/versions/1/commitment`, { key: sender.key }))
          .status,
      ).toBe(403);
      expect(
        (await api(env.gateway, 'GET', `/v1/audit/alerts/${alertId}/versions/9/commitment`, { key: auditor.key }))
          .status,
      ).toBe(404);
      expect(
        (await api(env.gateway, 'GET', `/v1/audit/alerts/${alertId}/versions/x/commitment`, { key: auditor.key })).body
          .details,
      ).toEqual([{ path: 'version', message: 'must be a positive integer' }]);
    });

    it("the analysts' feed shows the content from the node's own copy before the erasure", async () => {
      const entries = await awaitFeedEntries(
        analyst,
        feedStart,
        alertId,
        (found) => found.some((e) => e.type === 'alert.submitted' && e.alert),
        'the submission in the feed',
      );
      expect(entries.find((e) => e.type === 'alert.submitted').alert.headline).toBe(`Courier network ${marker}`);
    });

    it('refuses a request without a reason (400 naming it), from a non-admin (403) and for an unknown alert (404)', async () => {
      const noReason = await api(env.gateway, 'POST', `/v1/admin/alerts/${alertId}/erase`, {
        key: env.adminKey,
        body: {},
      });
      expect(noReason.status).toBe(400);
      expect(noReason.body.details.map((d: { path: string }) => d.path)).toContain('reason');
      expect(
        (
          await api(env.gateway, 'POST', `/v1/admin/alerts/${alertId}/erase`, {
            key: sender.key,
            body: { reason: 'mine' },
          })
        ).status,
      ).toBe(403);
      expect(
        (
          await api(env.gateway, 'POST', `/v1/admin/alerts/00000000-0000-4000-8000-000000000000/erase`, {
            key: env.adminKey,
            body: { reason: 'x' },
          })
        ).status,
      ).toBe(404);
      expect(
        await queryDatabase(`SELECT 1 FROM gateway.alerts WHERE alert_id = $1 AND erased_at IS NULL`, [alertId]),
      ).toHaveLength(1);
    });

    it('erases the content everywhere: pg_dump finds the marker nowhere, a checkpoint saved before still verifies, the trail shows who asked and why', async () => {
      await expectEventually(async () => dumpDatabase().includes(marker), {
        timeoutMs: CONSUMED_WITHIN_MS,
        description: 'the marker in the database before erasure',
      });
      const before = await saveCheckpoint('before-erasure');

      const erased = await api(env.gateway, 'POST', `/v1/admin/alerts/${alertId}/erase`, {
        key: env.adminKey,
        body: { reason: 'Court order 2026/114' },
      });
      expect(erased.status).toBe(202);
      expect(erased.body).toEqual({ alertId, erasedAt: expect.any(String) });
      // A second request is the same erasure.
      const again = await api(env.gateway, 'POST', `/v1/admin/alerts/${alertId}/erase`, {
        key: env.adminKey,
        body: { reason: 'Court order 2026/114' },
      });
      expect(again.status).toBe(202);
      expect(again.body.erasedAt).toBe(erased.body.erasedAt);
      await erasedEverywhere(alertId);

      const dump = dumpDatabase();
      expect(dump.includes(marker)).toBe(false);

      const entries = await trailWith(alertId, AuditEventType.AlertErased);
      const erasure = entries.filter((entry) => entry.type === AuditEventType.AlertErased);
      expect(erasure).toHaveLength(1);
      // Who asked is in the fact; why, only as a commitment (free text, maybe personal data), opened for auditors.
      expect(erasure[0]).toMatchObject({
        actor: { role: 'admin' },
        details: {
          cause: 'request',
          reasonCommitment: { scheme: CONTENT_COMMITMENT_SCHEME, hash: expect.any(String) },
        },
      });
      expect(JSON.stringify(erasure[0].entry)).not.toContain('Court order');
      const why = await api(env.gateway, 'GET', `/v1/audit/alerts/${alertId}/erasure/commitment`, { key: auditor.key });
      expect(why.status).toBe(200);
      expect(why.body.disclosed).toEqual({ reason: 'Court order 2026/114' });
      const committed = (erasure[0].details as { reasonCommitment: { hash: string } }).reasonCommitment.hash;
      expect(
        matchesSaltedCommitment(COMMITMENT_DOMAINS.erasureReason, committed, why.body.salt, why.body.disclosed),
      ).toBe(true);
      expect(
        (await api(env.gateway, 'GET', `/v1/audit/alerts/${alertId}/erasure/commitment`, { key: sender.key })).status,
      ).toBe(403);
      // The leaf of the submission is unchanged: same commitment as before.
      expect(entries.find((entry) => entry.type === AuditEventType.AlertSubmitted)?.details).toHaveProperty(
        'commitment',
      );

      const verified = verifyCommand(before);
      expect(verified.output).toContain('VERIFIED');
      expect(verified.exitCode).toBe(0);
    });

    it('answers 410 Gone with the metadata the caller may see, and shows "erased" in inbox, sent list and feed', async () => {
      const senderRead = await api(env.gateway, 'GET', `/v1/alerts/${alertId}`, { key: sender.key });
      expect(senderRead.status).toBe(410);
      expect(senderRead.body).toMatchObject({
        error: 'gone',
        details: [{ path: 'alertId', message: 'content erased' }],
        alert: {
          alertId,
          version: 1,
          sender: sender.id,
          erased: true,
          recipients: [
            expect.objectContaining({
              agencyId: recipient.id,
              ack: expect.objectContaining({ status: 'received', note: null }),
            }),
          ],
        },
      });
      expect(senderRead.body.alert).not.toHaveProperty('alert');
      const recipientRead = await api(env.gateway, 'GET', `/v1/alerts/${alertId}`, { key: recipient.key });
      expect(recipientRead.status).toBe(410);
      expect(recipientRead.body.alert).toMatchObject({ alertId, version: 1, sender: sender.id, erased: true });
      expect(recipientRead.body.alert).not.toHaveProperty('recipients');
      // Whoever was never entitled still gets 404, not 410.
      const stranger = await createAgency('UZ');
      expect((await api(env.gateway, 'GET', `/v1/alerts/${alertId}`, { key: stranger.key })).status).toBe(404);

      const items = (await inbox(recipient.key)).filter((item) => item.alertId === alertId);
      expect(items).toEqual([expect.objectContaining({ alert: null, erased: true })]);
      const sent = await api(env.gateway, 'GET', '/v1/alerts', { key: sender.key });
      expect(sent.body.items.find((item: { alertId: string }) => item.alertId === alertId)).toMatchObject({
        erased: true,
        headline: null,
      });
      expect(
        (await api(env.gateway, 'POST', `/v1/alerts/${alertId}/cancel`, { key: sender.key, body: { reason: 'x' } }))
          .status,
      ).toBe(410);
      expect(
        (await api(env.gateway, 'GET', `/v1/audit/alerts/${alertId}/versions/1/commitment`, { key: auditor.key }))
          .status,
      ).toBe(410);
      // The note and the refused update's problems went with the alert (pg_dump above found the marker nowhere).
      const trailNow = await trail(auditor.key, alertId);
      const ackId = String(
        (trailNow.find((e) => e.type === AuditEventType.AlertAcked)!.entry as { eventId: string }).eventId,
      ).replace(/^ack:/, '');
      expect(
        (await api(env.gateway, 'GET', `/v1/audit/alerts/${alertId}/acks/${ackId}/commitment`, { key: auditor.key }))
          .status,
      ).toBe(410);
      const rejectionId = (trailNow.find((e) => e.type === AuditEventType.AlertRejected)!.entry as { eventId: string })
        .eventId;
      expect(
        (await api(env.gateway, 'GET', `/v1/audit/rejections/${rejectionId}/commitment`, { key: auditor.key })).status,
      ).toBe(410);

      const feed = (await feedAfter(analyst, feedStart)).filter((entry) => entry.alertId === alertId);
      expect(feed.length).toBeGreaterThan(0);
      expect(feed.every((entry) => entry.erased === true && entry.alert === undefined)).toBe(true);
      expect(JSON.stringify(feed)).not.toContain(marker);
    });
  });

  it('after an erasure: an ack is refused with 410 (its note would never be swept), and no origin signature is kept', async () => {
    const [sender, recipient] = await Promise.all([createAgency('KZ'), createAgency('TJ')]);
    const { alertId } = await submitAccepted(sender.key, alertBody([recipient.id]));
    await awaitDeliveries(recipient.key, alertId, (entries) => entries.length === 1);
    // As a signed submission stores it (the signature confirms a guessed content: it must go with the content).
    await queryDatabase(`UPDATE gateway.alert_versions SET signature = 'ed25519:sig-marker' WHERE alert_id = $1`, [
      alertId,
    ]);
    const erased = await api(env.gateway, 'POST', `/v1/admin/alerts/${alertId}/erase`, {
      key: env.adminKey,
      body: { reason: 'court order' },
    });
    expect(erased.status).toBe(202);
    const [{ signatures }] = await queryDatabase<{ signatures: number }>(
      `SELECT count(signature)::int AS signatures FROM gateway.alert_versions WHERE alert_id = $1`,
      [alertId],
    );
    expect(signatures).toBe(0);

    const ack = await api(env.gateway, 'POST', `/v1/alerts/${alertId}/ack`, {
      key: recipient.key,
      body: { version: 1, status: 'actioned', note: 'personal data about the alert' },
    });
    expect(ack.status).toBe(410);
    expect(ack.body.error).toBe('gone');
    const [{ acks }] = await queryDatabase<{ acks: number }>(
      `SELECT count(*)::int AS acks FROM gateway.acks WHERE alert_id = $1`,
      [alertId],
    );
    expect(acks).toBe(0);
  });

  it('a match notice naming an erased alert that arrives after the erasure is stored as the erasure would have left it', async () => {
    const [sender, owner] = await Promise.all([createAgency('KZ'), createAgency('TJ')]);
    const erasedAlert = (await submitAccepted(sender.key, alertBody([owner.id]))).alertId;
    const ownAlert = (await submitAccepted(owner.key, alertBody([sender.id]))).alertId;
    const erased = await api(env.gateway, 'POST', `/v1/admin/alerts/${erasedAlert}/erase`, {
      key: env.adminKey,
      body: { reason: 'court order' },
    });
    expect(erased.status).toBe(202);
    // The node found the match before the erasure reached it; its notice comes in late.
    const marker = newMarker();
    const notice = {
      noticeId: randomUUID(),
      correlationId: randomUUID(),
      recipient: owner.id,
      alertId: ownAlert,
      version: 1,
      otherAgencyId: sender.id,
      otherAlertIds: [erasedAlert],
      restricted: false,
      text: `Your alert matches alert ${erasedAlert} of ${sender.id} on phone +992${marker}`,
      foundAt: new Date().toISOString(),
    };
    const producer = testKafka('erasure-late-notice', HubService.CoordinationNode).producer();
    await producer.connect();
    try {
      await producer.send({
        topic: Topic.MatchNotices,
        acks: -1,
        messages: [{ key: owner.id, value: JSON.stringify(notice) }],
      });
    } finally {
      await producer.disconnect();
    }
    const stored = await expectEventually(
      async () => (await inbox(owner.key)).find((item) => item.deliveryId === notice.noticeId) as any,
      { timeoutMs: CONSUMED_WITHIN_MS, description: 'the late match notice in the inbox' },
    );
    expect(stored.match).toMatchObject({
      text: 'This match concerned an alert whose content has since been erased.',
      otherAlertIds: [],
    });
    expect(JSON.stringify(stored)).not.toContain(marker);
  });

  it('erasing one of two correlated alerts removes its identifier from the correlation, the feed and the index', async () => {
    const [kz, tj, analyst] = await Promise.all([createAgency('KZ'), createAgency('TJ'), analystKey()]);
    const container = uniqueContainerNumber();
    const head = await feedHead(analyst);
    const first = await submitAccepted(
      kz.key,
      alertBody([tj.id], { subjects: [{ type: 'container', number: container }] }),
    );
    const second = await submitAccepted(
      tj.key,
      alertBody([kz.id], { subjects: [{ type: 'container', number: container }] }),
    );
    const correlation = await expectEventually(
      async () =>
        (await correlationsOf(analyst, second.alertId)).find((c) =>
          c.alerts.some((a: { alertId: string }) => a.alertId === first.alertId),
        ),
      { timeoutMs: 60_000, description: 'the correlation of the two alerts' },
    );
    expect(correlation.identifier).toEqual({ kind: 'container', key: container });
    const found = await awaitFeedEntries(
      analyst,
      head,
      correlation.alertId,
      (entries) => entries.some((e) => e.type === 'correlation.found'),
      'correlation.found in the feed',
    );
    expect(found.find((e) => e.type === 'correlation.found').correlation.identifier).toEqual({
      kind: 'container',
      key: container,
    });
    // The audit fact names the container by keyed hash only.
    const audited = (await trailWith(correlation.alertId, AuditEventType.CorrelationFound)).find(
      (e) => e.type === AuditEventType.CorrelationFound,
    )!;
    expect(JSON.stringify(audited.entry)).not.toContain(container);
    expect(audited.details).toMatchObject({
      identifier: { kind: 'container', keyHash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });

    expect(
      (
        await api(env.gateway, 'POST', `/v1/admin/alerts/${first.alertId}/erase`, {
          key: env.adminKey,
          body: { reason: 'Lawful request' },
        })
      ).status,
    ).toBe(202);
    await erasedEverywhere(first.alertId);

    const after = (await correlationsOf(analyst, second.alertId)).find(
      (c) => c.correlationId === correlation.correlationId,
    );
    expect(after.identifier).toBeNull();
    expect(after.alerts.map((a: { alertId: string }) => a.alertId).sort()).toEqual(
      [first.alertId, second.alertId].sort(),
    );
    expect(JSON.stringify(after)).not.toContain(container);
    const feed = (await feedAfter(analyst, head)).filter(
      (e) => e.type === 'correlation.found' && e.correlation.correlationId === correlation.correlationId,
    );
    expect(feed).toHaveLength(1);
    expect(JSON.stringify(feed)).not.toContain(container);
    expect(
      await queryDatabase(`SELECT 1 FROM coordination.correlation_identifiers WHERE alert_id = $1`, [first.alertId]),
    ).toHaveLength(0);
    // The other agency's own alert still carries its container: only the erased alert's data went.
    expect(
      await queryDatabase(`SELECT 1 FROM coordination.correlation_identifiers WHERE alert_id = $1`, [second.alertId]),
    ).toHaveLength(1);
  }, 180_000);

  describe('retention running out', () => {
    // RETENTION_DEFAULT_SECONDS also bounds the problems recorded of requests refused meanwhile (most name no alert).
    const short = restartedWith('agency-gateway', {
      RETENTION_GRACE_SECONDS: '1',
      RETENTION_SWEEP_SECONDS: '1',
      RETENTION_DEFAULT_SECONDS: '2',
    });
    beforeAll(short.apply, 120_000);
    afterAll(short.restore, 120_000);

    it('erases an alert once expiresAt plus the grace has passed, with one retention fact; the log still verifies', async () => {
      const [sender, recipient] = await Promise.all([createAgency('TJ'), createAgency('KG')]);
      const marker = newMarker();
      const before = await saveCheckpoint('before-retention');
      const expiresAt = new Date(Date.now() + 6_000).toISOString();
      const { alertId } = await submitAccepted(sender.key, markedAlert([recipient.id], marker, { expiresAt }));
      // A refused submission (no alert) whose problems echo the marker: kept RETENTION_DEFAULT_SECONDS, then erased.
      const refused = await api(env.gateway, 'POST', '/v1/alerts', {
        key: sender.key,
        headers: { 'idempotency-key': `refused-${marker}` },
        body: withMarkedProperty(markedAlert([recipient.id], marker), marker),
      });
      expect(refused.status).toBe(400);
      const [retainUntil] = await queryDatabase<{ retain_until: Date }>(
        `SELECT retain_until FROM gateway.alerts WHERE alert_id = $1`,
        [alertId],
      );
      expect(retainUntil.retain_until.toISOString()).toBe(new Date(Date.parse(expiresAt) + 1000).toISOString());

      const [rejection] = await expectEventually(
        async () => {
          const found = await allEntries(auditor.key, { agency: sender.id, type: AuditEventType.AlertRejected });
          return found.length === 1 ? found : false;
        },
        { timeoutMs: CONSUMED_WITHIN_MS, description: 'the rejection in the log' },
      );
      expect(JSON.stringify(rejection.entry)).not.toContain(marker);
      const rejectionId = (rejection.entry as { eventId: string }).eventId;
      await expectEventually(
        async () =>
          (
            await queryDatabase(
              `SELECT 1 FROM gateway.rejections WHERE event_id = $1 AND erased_at IS NOT NULL AND problems IS NULL`,
              [rejectionId],
            )
          ).length === 1,
        { timeoutMs: CONSUMED_WITHIN_MS, description: "the rejection's problems erased at the end of their retention" },
      );
      expect(
        (await api(env.gateway, 'GET', `/v1/audit/rejections/${rejectionId}/commitment`, { key: auditor.key })).status,
      ).toBe(410);
      const sweeps = await expectEventually(
        async () => {
          const found = (await allEntries(auditor.key, { type: AuditEventType.RetentionSwept })).filter((e) =>
            ((e.details as { rejections?: { eventIds: string[] } }).rejections?.eventIds ?? []).includes(rejectionId),
          );
          return found.length > 0 ? found : false;
        },
        { timeoutMs: CONSUMED_WITHIN_MS, description: 'a retention.swept fact naming the rejection' },
      );
      expect(sweeps).toHaveLength(1);

      await erasedEverywhere(alertId);
      const [row] = await queryDatabase<{ erased_at: Date }>(
        `SELECT erased_at FROM gateway.alerts WHERE alert_id = $1`,
        [alertId],
      );
      expect(row.erased_at.getTime()).toBeGreaterThanOrEqual(Date.parse(expiresAt) + 1000);
      // The delivery may arrive before or after the erasure: either way it holds no content.
      await awaitDeliveries(
        recipient.key,
        alertId,
        (deliveries) => deliveries.length === 1 && deliveries[0].alert === null,
      );
      expect(dumpDatabase().includes(marker)).toBe(false);

      const entries = await trailWith(alertId, AuditEventType.RetentionSwept);
      const swept = entries.filter((entry) => entry.type === AuditEventType.RetentionSwept);
      expect(swept).toHaveLength(1);
      expect(swept[0]).toMatchObject({ actor: { service: 'agency-gateway' }, details: { cause: 'retention' } });
      expect((swept[0].details as { items: unknown[] }).items).toContainEqual({ alertId, version: 1 });
      expect((await api(env.gateway, 'GET', `/v1/alerts/${alertId}`, { key: sender.key })).status).toBe(410);

      const verified = verifyCommand(before);
      expect(verified.output).toContain('VERIFIED');
      expect(verified.exitCode).toBe(0);
    }, 180_000);

    it('closes a room at closesAt (409), then erases its content at the end of retention; the log still verifies', async () => {
      const [owner, member] = await Promise.all([createAgency('TJ'), createAgency('AF', 'partner-agency')]);
      const marker = newMarker();
      const before = await saveCheckpoint('before-room-retention');
      const closesAt = new Date(Date.now() + 8_000).toISOString();
      const room = (path: string, key: string, method = 'GET', body?: unknown) =>
        api(env.gateway, method, `/v1/rooms${path}`, { key, ...(body === undefined ? {} : { body }) });
      const created = await room('', owner.key, 'POST', {
        name: `Operation ${marker}`,
        purpose: `Controlled delivery ${marker}`,
        members: [member.id],
        closesAt,
      });
      expect(created.status).toBe(201);
      const { roomId } = created.body;
      const posted = await room(`/${roomId}/messages`, member.key, 'POST', { text: `Truck ${marker} crossed` });
      expect(posted.status).toBe(201);
      expect((await room(`/${roomId}/messages`, owner.key)).body.items[0].text).toContain(marker);

      await expectEventually(async () => Date.now() > Date.parse(closesAt), { description: 'closesAt passing' });
      expect((await room(`/${roomId}/messages`, member.key, 'POST', { text: 'too late' })).status).toBe(409);

      const entries = await expectEventually(
        async () => {
          const response = await auditGet<{ items: AuditEntryView[] }>(auditor.key, `/v1/audit/rooms/${roomId}/trail`);
          const types = response.body.items.map((entry) => entry.type);
          return types.includes(AuditEventType.RoomErased) ? response.body.items : false;
        },
        { timeoutMs: CONSUMED_WITHIN_MS, description: `room ${roomId} erased at the end of its retention` },
      );
      expect(entries.filter((entry) => entry.type === AuditEventType.RoomClosed)).toEqual([
        expect.objectContaining({ reason: 'closes-at', actor: { service: 'agency-gateway' } }),
      ]);
      expect(JSON.stringify(entries)).not.toContain(marker);

      // Members still see who was there, and in their inboxes who posted when; the content is gone everywhere, and
      // the room's content paths answer 410 as an erased alert's do (decision 019, "Erasure on request").
      const after = await room(`/${roomId}`, member.key);
      expect(after.status).toBe(200);
      expect(after.body).toMatchObject({ state: 'erased', name: null, purpose: null });
      const gone = await room(`/${roomId}/messages`, owner.key);
      expect(gone.status).toBe(410);
      expect(gone.body.details).toEqual([{ path: 'roomId', message: 'content erased' }]);
      const items = (await inbox(owner.key)).filter((item: any) => item.roomMessage?.roomId === roomId);
      expect(items).toEqual([
        expect.objectContaining({
          roomMessage: expect.objectContaining({ messageId: posted.body.messageId, text: null, erased: true }),
        }),
      ]);
      expect(dumpDatabase().includes(marker)).toBe(false);

      const verified = verifyCommand(before);
      expect(verified.output).toContain('VERIFIED');
      expect(verified.exitCode).toBe(0);
    }, 180_000);
  });
});
