import { randomUUID } from 'node:crypto';
import { AuditEventType } from '@hub/contracts/audit-event';
import {
  COMMITMENT_DOMAINS,
  CONTENT_COMMITMENT_SCHEME,
  hashFromHex,
  matchesSaltedCommitment,
  verifyInclusion,
} from '@hub/merkle';
import {
  alertBody,
  api,
  awaitDeliveries,
  createAgency,
  expectEventually,
  queryDatabase,
  submitAlert,
  TestAgency,
} from '@hub/testing';
import {
  Auditor,
  AuditEntryView,
  auditGet,
  checkpoint,
  CONSUMED_WITHIN_MS,
  env,
  newAuditor,
  trail,
} from './audit-test-support';

const T = AuditEventType;

function agencyActor(agency: TestAgency) {
  return { agencyId: agency.id, keyId: agency.keyId, role: 'agency' };
}

describe('the audit trail of one alert after a full exchange through the gateway', () => {
  let auditor: Auditor;
  let sender: TestAgency;
  let recipient: TestAgency;
  let bystander: TestAgency;
  let alertId: string;
  let items: AuditEntryView[];
  const idempotencyKey = `trail-${randomUUID()}`;

  beforeAll(async () => {
    [auditor, sender, recipient, bystander] = await Promise.all([
      newAuditor(),
      createAgency('TJ'),
      createAgency('KG'),
      createAgency('UZ'),
    ]);

    const body = alertBody([recipient.id]);
    const accepted = await submitAlert(sender.key, body, idempotencyKey);
    expect(accepted.status).toBe(202);
    alertId = accepted.body.alertId;
    const replayed = await submitAlert(sender.key, body, idempotencyKey);
    expect(replayed.body).toEqual(accepted.body);

    await awaitDeliveries(recipient.key, alertId, (deliveries) => deliveries.length === 1);
    expect(
      (
        await api(env.gateway, 'POST', `/v1/alerts/${alertId}/ack`, {
          key: recipient.key,
          body: { version: 1, status: 'received' },
        })
      ).status,
    ).toBe(202);
    // A BOLA attempt: an agency the alert was not addressed to asks for it.
    expect((await api(env.gateway, 'GET', `/v1/alerts/${alertId}`, { key: bystander.key })).status).toBe(404);
    expect(
      (
        await api(env.gateway, 'POST', `/v1/alerts/${alertId}/cancel`, {
          key: sender.key,
          body: { reason: 'Cleared after inspection' },
        })
      ).status,
    ).toBe(202);
    await awaitDeliveries(recipient.key, alertId, (deliveries) => deliveries.some((d) => d.kind === 'cancel'));

    const decisionsRecorded = async () =>
      (
        await queryDatabase<{ n: number }>(
          `SELECT count(*)::int AS n FROM coordination.routing_decisions WHERE alert_id = $1`,
          [alertId],
        )
      )[0].n;
    items = await expectEventually(
      async () => {
        const current = await trail(auditor.key, alertId);
        const count = (type: AuditEventType) => current.filter((item) => item.type === type).length;
        const complete =
          count(T.AlertCancelled) === 1 &&
          count(T.AlertDelivered) === 2 &&
          count(T.AccessDenied) === 1 &&
          count(T.RoutingDecided) === 2 &&
          current.filter((item) => item.type === T.RoutingDecided).flatMap((item) => item.decisions ?? []).length ===
            (await decisionsRecorded());
        return complete ? current : false;
      },
      { timeoutMs: CONSUMED_WITHIN_MS, description: 'the complete trail of the alert in the audit log' },
    );
  }, 300_000);

  const ofType = (type: AuditEventType) => items.filter((item) => item.type === type);
  const first = (type: AuditEventType) => {
    const found = ofType(type);
    expect(found.length).toBeGreaterThan(0);
    return found[0];
  };

  it('is in log order, each entry served with the object its leaf hashes and that leaf hash', () => {
    const seqs = items.map((item) => item.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    for (const item of items) {
      // A fact about several alerts (an inbox page) names this one among its items instead of as its alertId.
      if (item.alertId === null) expect(item.details?.items).toContainEqual(expect.objectContaining({ alertId }));
      else expect(item.alertId).toBe(alertId);
      expect(item.entry).toMatchObject({ type: item.type, actor: item.actor });
      expect(item.leafHash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('holds the submission once (the idempotent replay added nothing), by the sender', () => {
    expect(ofType(T.AlertSubmitted)).toHaveLength(1);
    expect(first(T.AlertSubmitted)).toMatchObject({ version: 1, actor: agencyActor(sender) });
  });

  it("commits to the client's Idempotency-Key under the version's salt instead of naming it", async () => {
    const submitted = first(T.AlertSubmitted);
    expect(JSON.stringify(submitted.entry)).not.toContain(idempotencyKey);
    const disclosed = await api(env.gateway, 'GET', `/v1/audit/alerts/${alertId}/versions/1/commitment`, {
      key: auditor.key,
    });
    expect(disclosed.status).toBe(200);
    const committed = (submitted.details as { idempotencyKeyCommitment: { scheme: string; hash: string } })
      .idempotencyKeyCommitment;
    expect(committed.scheme).toBe(CONTENT_COMMITMENT_SCHEME);
    const opens = (key: string) =>
      matchesSaltedCommitment(COMMITMENT_DOMAINS.idempotencyKey, committed.hash, disclosed.body.salt, {
        idempotencyKey: key,
      });
    expect(opens(idempotencyKey)).toBe(true);
    expect(opens(`${idempotencyKey}x`)).toBe(false);
  });

  it('holds one routing fact per version naming every decision the coordination node made, per recipient, with its reason', async () => {
    const recorded = await queryDatabase<{ version: number; recipient: string; decision: string; reason: string }>(
      `SELECT version, recipient, decision, reason FROM coordination.routing_decisions WHERE alert_id = $1 ORDER BY version, recipient`,
      [alertId],
    );
    expect(ofType(T.RoutingDecided).map((item) => item.version)).toEqual([1, 2]);
    const audited = ofType(T.RoutingDecided)
      .flatMap((item) =>
        (item.decisions ?? []).map((d) => ({
          version: item.version,
          recipient: d.recipient,
          decision: d.decision,
          reason: d.reason,
        })),
      )
      .sort((a, b) => a.version! - b.version! || a.recipient.localeCompare(b.recipient));
    expect(audited).toEqual(recorded);
    for (const decision of ofType(T.RoutingDecided)) expect(decision.actor).toEqual({ service: 'coordination-node' });
    expect(audited).toContainEqual({ version: 1, recipient: recipient.id, decision: 'delivered', reason: 'ADDRESSED' });
    expect(audited).toContainEqual(
      expect.objectContaining({ version: 1, recipient: bystander.id, decision: 'withheld' }),
    );
    expect(audited).toContainEqual(
      expect.objectContaining({ version: 2, recipient: recipient.id, decision: 'delivered' }),
    );
  });

  // The decision and the delivery are audited by two services on two topics (each service writes only its own, issue
  // 12), so the log does not order one before the other; the delivery names the decision's deliveryId instead.
  it('holds every delivery (the alert, then the cancel) to the recipient, by the gateway, each named by its routing decision', () => {
    const deliveries = ofType(T.AlertDelivered);
    expect(deliveries.map((d) => [d.version, d.recipient, d.details?.kind])).toEqual([
      [1, recipient.id, 'alert'],
      [2, recipient.id, 'cancel'],
    ]);
    for (const delivery of deliveries) {
      expect(delivery.actor).toEqual({ service: 'agency-gateway' });
      const decision = ofType(T.RoutingDecided).find((d) => d.version === delivery.version)!;
      expect(decision.decisions).toContainEqual(
        expect.objectContaining({
          recipient: delivery.recipient,
          decision: 'delivered',
          deliveryId: delivery.details?.deliveryId,
        }),
      );
      expect(Date.parse(String(decision.at))).toBeLessThanOrEqual(Date.parse(String(delivery.at)));
    }
  });

  it('holds who read which version, the ack, the denied access and the cancel, with their actors', () => {
    // One fact per inbox page, naming each version it showed.
    expect(first(T.InboxRead)).toMatchObject({ actor: agencyActor(recipient) });
    expect(first(T.InboxRead).details?.items).toContainEqual(expect.objectContaining({ alertId, version: 1 }));
    expect(first(T.AlertAcked)).toMatchObject({ version: 1, reason: 'received', actor: agencyActor(recipient) });
    expect(first(T.AccessDenied)).toMatchObject({ actor: agencyActor(bystander), details: { action: 'read' } });
    // The cancel reason is free text about the alert: covered by the version's content commitment, not in the log.
    expect(first(T.AlertCancelled)).toMatchObject({
      version: 2,
      reason: null,
      actor: agencyActor(sender),
      details: { commitment: { scheme: 'sha256-salted-v1' } },
    });
    expect(JSON.stringify(first(T.AlertCancelled).entry)).not.toContain('Cleared after inspection');
  });

  // One service's facts keyed by the alert share a topic partition, so the log holds them in order (seq). A page read
  // names several alerts and is keyed by its reader (another partition), and the gateway's and the node's facts come on
  // two topics (issue 12): those interleave as the audit log consumes them, so their order is the time each stated (`at`).
  it('orders the steps as they happened', () => {
    const seq = (type: AuditEventType) => first(type).seq;
    const at = (item: { at: string | null }) => Date.parse(String(item.at));
    const [deliveredV1, deliveredCancel] = ofType(T.AlertDelivered);
    const routedV1 = ofType(T.RoutingDecided).find((d) => d.version === 1)!;
    const routedV2 = ofType(T.RoutingDecided).find((d) => d.version === 2)!;
    expect(at(first(T.AlertSubmitted))).toBeLessThanOrEqual(at(routedV1));
    expect(at(routedV1)).toBeLessThanOrEqual(at(first(T.InboxRead)));
    expect(at(deliveredV1)).toBeLessThanOrEqual(at(first(T.InboxRead)));
    expect(at(first(T.InboxRead))).toBeLessThanOrEqual(at(first(T.AlertAcked)));
    expect(deliveredV1.seq).toBeLessThan(seq(T.AlertAcked));
    expect(seq(T.AlertAcked)).toBeLessThan(seq(T.AccessDenied));
    expect(seq(T.AccessDenied)).toBeLessThan(seq(T.AlertCancelled));
    expect(seq(T.AlertCancelled)).toBeLessThan(deliveredCancel.seq);
    expect(at(first(T.AlertCancelled))).toBeLessThanOrEqual(at(routedV2));
    expect(at(routedV2)).toBeLessThanOrEqual(at(deliveredCancel));
  });

  it('proves each entry of the trail included in a signed checkpoint', async () => {
    const signed = await checkpoint(auditor.key);
    for (const item of [first(T.AlertSubmitted), first(T.AlertAcked), first(T.AlertCancelled)]) {
      const response = await auditGet(
        auditor.key,
        `/v1/audit/proofs/inclusion?seq=${item.seq}&treeSize=${signed.treeSize}`,
      );
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ seq: item.seq, treeSize: signed.treeSize, leafHash: item.leafHash });
      const proven = verifyInclusion(
        hashFromHex(item.leafHash!),
        item.seq,
        signed.treeSize,
        response.body.proof.map(hashFromHex),
        hashFromHex(signed.rootHash),
      );
      expect(proven).toBe(true);
    }
  });

  it('finds the same entries through GET /v1/audit/entries?alertId=', async () => {
    // The log keeps growing (the last inbox polls are still being appended), so each later answer extends the earlier one.
    const response = await auditGet(auditor.key, `/v1/audit/entries?alertId=${alertId}&limit=1000`);
    expect(response.status).toBe(200);
    expect(response.body.nextCursor).toBeNull();
    const listed: number[] = response.body.items.map((item: AuditEntryView) => item.seq);
    const later = (await trail(auditor.key, alertId)).map((item) => item.seq);
    expect(listed.slice(0, items.length)).toEqual(items.map((item) => item.seq));
    expect(later.slice(0, listed.length)).toEqual(listed);
  });
});
