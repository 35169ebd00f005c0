import fc from 'fast-check';
import { AlertSubmittedMessage } from '@hub/contracts/messages';
import { decideRecipients, RoutingDecision } from '@hub/contracts/policy';
import { NOW, REF, SENDER } from '@hub/contracts/policy/policy.fixtures';
import { entrySubjects } from '../../../audit-log/src/log/audit-entry';
import { deliveryIdFor } from './delivery-id';
import { referenceDigest, routingFact } from './routing-fact';

const message = {
  messageId: '0b7a4c4e-7f1e-4d5e-9a55-0c0c8a1d2e3f',
  alertId: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
  version: 1,
  kind: 'alert',
  sender: SENDER,
  alert: { tlp: 'AMBER', distribution: { scope: 'regional', recipients: [], sharingGroups: [] } },
} as unknown as AlertSubmittedMessage;

function outcomesOf(decisions: RoutingDecision[]) {
  return decisions.map((decision) => ({
    decision,
    deliveryId:
      decision.decision === 'delivered' ? deliveryIdFor(message.alertId, message.version, decision.recipient) : null,
  }));
}

describe('routingFact: one audit fact per alert version', () => {
  const decisions = decideRecipients({
    kind: 'alert',
    sender: SENDER,
    content: message.alert,
    previousRecipients: [],
    ref: REF,
    now: NOW,
  });

  it('names every candidate exactly once, delivered ones with their deliveryId, withheld ones grouped by reason', () => {
    const fact = routingFact(message, outcomesOf(decisions), referenceDigest(REF));
    expect(fact.eventId).toBe(`routing:${message.alertId}:1`);
    expect(fact.recipient).toBeUndefined();
    const details = fact.details as {
      delivered: { recipient: string; deliveryId: string }[];
      withheld: { reason: string; agencies: string[] }[];
      candidates: number;
    };
    const named = [...details.delivered.map((d) => d.recipient), ...details.withheld.flatMap((w) => w.agencies)];
    expect(named.sort()).toEqual(decisions.map((d) => d.recipient).sort());
    expect(details.candidates).toBe(decisions.length);
    for (const d of details.delivered) expect(d.deliveryId).toBe(deliveryIdFor(message.alertId, 1, d.recipient));
    expect(details.withheld.find((w) => w.reason === 'SENDER')?.agencies).toEqual([SENDER]);
  });

  it('is indexed by the audit log as one subject per candidate, with the same decision and reason', () => {
    const fact = routingFact(message, outcomesOf(decisions), referenceDigest(REF));
    const subjects = entrySubjects({ ...fact, eventId: fact.eventId!, at: NOW.toISOString(), details: fact.details! });
    expect(subjects.map((s) => [s.agency, s.decision, s.reason]).sort()).toEqual(
      decisions.map((d) => [d.recipient, d.decision, d.reason]).sort(),
    );
    expect(subjects.every((s) => s.alertId === message.alertId && s.version === 1)).toBe(true);
  });

  it('does not grow in entries with the number of known agencies (one fact, whatever the candidates)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[A-Z]{2}-[A-Z0-9]{2,6}$/), { maxLength: 60 }), (extra) => {
        const ref = {
          ...REF,
          agencies: [
            ...REF.agencies,
            ...extra
              .filter((id) => !REF.agencies.some((a) => a.id === id))
              .map((id) => ({ id, kind: 'national-agency' as const, active: true, country: id.slice(0, 2) })),
          ],
        };
        const many = decideRecipients({
          kind: 'alert',
          sender: SENDER,
          content: message.alert,
          previousRecipients: [],
          ref,
          now: NOW,
        });
        const fact = routingFact(message, outcomesOf(many), referenceDigest(ref));
        const details = fact.details as { delivered: unknown[]; withheld: { agencies: string[] }[] };
        expect(details.delivered.length + details.withheld.reduce((n, w) => n + w.agencies.length, 0)).toBe(
          many.length,
        );
      }),
    );
  });

  it('digests the reference data canonically: the same data in another order gives the same digest, a change another', () => {
    const shuffled = { agencies: [...REF.agencies].reverse(), sharingGroups: [...REF.sharingGroups].reverse() };
    expect(referenceDigest(shuffled)).toBe(referenceDigest(REF));
    const deactivated = { ...REF, agencies: REF.agencies.map((a, i) => (i === 0 ? { ...a, active: !a.active } : a)) };
    expect(referenceDigest(deactivated)).not.toBe(referenceDigest(REF));
  });
});
