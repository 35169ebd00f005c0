import * as fc from 'fast-check';
import { DISTRIBUTION_SCOPES, TLP_LEVELS } from '../alert/enums';
import { requiresExplicitRecipients } from '../alert/tlp';
import { DELIVERY_KINDS } from '../messages';
import { checkDistribution } from './check-distribution';
import { isGroupExpired, isRoomClosed, ReferenceView } from './reference-view';
import { decideRecipient, decideRecipients, RoutingDecision, RoutingInput } from './routing-policy';

const NOW = new Date('2025-05-01T10:00:00Z');
/** A small id space so that random sets overlap: senders, recipients, members and previous recipients collide often. */
const AGENCY_IDS = ['TJ-DCA', 'KG-BS', 'UZ-NCDC', 'KZ-CUSTOMS', 'TM-BS', 'AF-CNPA', 'CARICC', 'XX-GHOST'];
const GROUP_IDS = ['g1', 'g2', 'g3', 'g-missing'];
const ROOM_IDS = [
  '11111111-1111-4111-8111-111111111111',
  '22222222-2222-4222-8222-222222222222',
  '99999999-9999-4999-8999-999999999999',
];
const EXPIRIES = [
  null,
  '2024-01-01T00:00:00Z',
  '2025-05-01T10:00:00Z',
  '2025-05-01T10:00:00.001Z',
  '2030-01-01T00:00:00Z',
];

const referenceView: fc.Arbitrary<ReferenceView> = fc.record({
  agencies: fc.uniqueArray(
    fc.record({
      id: fc.constantFrom(...AGENCY_IDS),
      kind: fc.constantFrom('national-agency' as const, 'regional-centre' as const, 'partner-agency' as const),
      active: fc.boolean(),
      country: fc.constantFrom('TJ', 'KG', 'UZ', 'KZ'),
    }),
    { selector: (agency) => agency.id, maxLength: AGENCY_IDS.length },
  ),
  sharingGroups: fc.uniqueArray(
    fc.record({
      id: fc.constantFrom(...GROUP_IDS.slice(0, 3)),
      members: fc.subarray(AGENCY_IDS),
      expiresAt: fc.constantFrom(...EXPIRIES),
    }),
    { selector: (group) => group.id, maxLength: 3 },
  ),
  rooms: fc.uniqueArray(
    fc.record({
      id: fc.constantFrom(...ROOM_IDS.slice(0, 2)),
      members: fc.subarray(AGENCY_IDS),
      closesAt: fc.constantFrom(...EXPIRIES.filter((e): e is string => e !== null)),
      closedAt: fc.constantFrom(null, '2025-04-01T00:00:00Z'),
    }),
    { selector: (room) => room.id, maxLength: 2 },
  ),
});

const routingInput: fc.Arbitrary<RoutingInput> = fc.record({
  kind: fc.constantFrom(...DELIVERY_KINDS),
  sender: fc.constantFrom(...AGENCY_IDS),
  content: fc.record({
    tlp: fc.constantFrom(...TLP_LEVELS),
    distribution: fc.record({
      scope: fc.constantFrom(...DISTRIBUTION_SCOPES),
      recipients: fc.shuffledSubarray(AGENCY_IDS),
      sharingGroups: fc.shuffledSubarray(GROUP_IDS),
      // Mostly none: a random room list rarely passes the gateway's checks (the sender must be in each, each open).
      rooms: fc.oneof(
        { weight: 3, arbitrary: fc.constant<string[]>([]) },
        { weight: 1, arbitrary: fc.shuffledSubarray(ROOM_IDS) },
      ),
    }),
  }),
  previousRecipients: fc.shuffledSubarray(AGENCY_IDS),
  ref: referenceView,
  now: fc.constant(NOW),
});

function inputOfKind(kind: RoutingInput['kind']): fc.Arbitrary<RoutingInput> {
  return routingInput.map((input) => ({
    ...input,
    kind,
    previousRecipients: kind === 'alert' ? [] : input.previousRecipients,
  }));
}

const deliveredIds = (decisions: RoutingDecision[], withContent?: boolean): string[] =>
  decisions
    .filter(
      (decision) =>
        decision.decision === 'delivered' && (withContent === undefined || decision.asCancel !== withContent),
    )
    .map((decision) => decision.recipient)
    .sort();

const activeIds = (ref: ReferenceView): Set<string> =>
  new Set(ref.agencies.filter((agency) => agency.active).map((agency) => agency.id));

/** Who may receive new content, written independently of the implementation from the rules in PRODUCT.md. */
function entitledModel(input: RoutingInput): string[] {
  const { tlp, distribution } = input.content;
  const active = activeIds(input.ref);
  let reach: Set<string>;
  if (distribution.scope === 'regional') {
    const partners = new Set(input.ref.agencies.filter((a) => a.kind === 'partner-agency').map((a) => a.id));
    reach = requiresExplicitRecipients(tlp) ? new Set() : new Set([...active].filter((id) => !partners.has(id)));
  } else {
    reach = new Set(distribution.recipients);
    if (!requiresExplicitRecipients(tlp)) {
      for (const group of input.ref.sharingGroups) {
        if (distribution.sharingGroups.includes(group.id) && !isGroupExpired(group, input.now))
          group.members.forEach((id) => reach.add(id));
      }
      for (const room of input.ref.rooms ?? []) {
        if ((distribution.rooms ?? []).includes(room.id) && !isRoomClosed(room, input.now))
          room.members.forEach((id) => reach.add(id));
      }
    }
  }
  return [...reach].filter((id) => active.has(id) && id !== input.sender).sort();
}

describe('RoutingPolicy properties', () => {
  it('never delivers anything to the sender', () => {
    fc.assert(fc.property(routingInput, (input) => !deliveredIds(decideRecipients(input)).includes(input.sender)));
  });

  it('gives every candidate exactly one decision: all known agencies and previous recipients, each once', () => {
    fc.assert(
      fc.property(routingInput, (input) => {
        const recipients = decideRecipients(input).map((decision) => decision.recipient);
        expect(new Set(recipients).size).toBe(recipients.length);
        for (const agency of input.ref.agencies) expect(recipients).toContain(agency.id);
        for (const previous of input.previousRecipients) expect(recipients).toContain(previous);
      }),
    );
  });

  it('gives the same answer per recipient as for the whole list', () => {
    fc.assert(
      fc.property(routingInput, (input) => {
        for (const decision of decideRecipients(input))
          expect(decideRecipient(input, decision.recipient)).toEqual(decision);
      }),
    );
  });

  it('never delivers a new alert to an inactive or unknown agency', () => {
    fc.assert(
      fc.property(inputOfKind('alert'), (input) => {
        const active = activeIds(input.ref);
        return deliveredIds(decideRecipients(input)).every((id) => active.has(id));
      }),
    );
  });

  it('delivers a new alert to exactly the agencies the rules entitle', () => {
    fc.assert(
      fc.property(inputOfKind('alert'), (input) => {
        const decisions = decideRecipients(input);
        expect(deliveredIds(decisions)).toEqual(entitledModel(input));
        expect(decisions.every((decision) => !decision.asCancel)).toBe(true);
      }),
    );
  });

  it('regional non-strict content reaches exactly the active member agencies other than the sender', () => {
    const regional = routingInput.filter(
      (input) => input.content.distribution.scope === 'regional' && !requiresExplicitRecipients(input.content.tlp),
    );
    fc.assert(
      fc.property(regional, (input) => {
        const partners = new Set(input.ref.agencies.filter((a) => a.kind === 'partner-agency').map((a) => a.id));
        const expected = [...activeIds(input.ref)].filter((id) => id !== input.sender && !partners.has(id)).sort();
        expect(deliveredIds(decideRecipients({ ...input, kind: 'alert', previousRecipients: [] }))).toEqual(expected);
      }),
    );
  });

  it('never sends RED or AMBER+STRICT content to anyone but its explicit recipients (alert and update)', () => {
    const strict = routingInput.filter(
      (input) => input.kind !== 'cancel' && requiresExplicitRecipients(input.content.tlp),
    );
    fc.assert(
      fc.property(strict, (input) => {
        const withContent = deliveredIds(decideRecipients(input), true);
        return withContent.every(
          (id) =>
            input.content.distribution.recipients.includes(id) && input.content.distribution.scope === 'restricted',
        );
      }),
    );
  });

  it('sends an update with content only to entitled active agencies, and a withdrawal to every other previous recipient', () => {
    fc.assert(
      fc.property(inputOfKind('update'), (input) => {
        const decisions = decideRecipients(input);
        const entitled = entitledModel(input);
        expect(deliveredIds(decisions, true)).toEqual(entitled);
        const expectedWithdrawals = input.previousRecipients
          .filter((id) => id !== input.sender && !entitled.includes(id))
          .sort();
        expect(deliveredIds(decisions, false)).toEqual(expectedWithdrawals);
      }),
    );
  });

  it('reaches every previous recipient other than the sender with an update, as content or as a withdrawal', () => {
    fc.assert(
      fc.property(inputOfKind('update'), (input) => {
        const delivered = deliveredIds(decideRecipients(input));
        return input.previousRecipients.filter((id) => id !== input.sender).every((id) => delivered.includes(id));
      }),
    );
  });

  it('sends a cancel to exactly the previous recipients other than the sender, active or not', () => {
    fc.assert(
      fc.property(inputOfKind('cancel'), (input) => {
        const decisions = decideRecipients(input);
        const expected = [...new Set(input.previousRecipients)].filter((id) => id !== input.sender).sort();
        expect(deliveredIds(decisions)).toEqual(expected);
        expect(
          decisions.filter((decision) => decision.decision === 'delivered').every((decision) => decision.asCancel),
        ).toBe(true);
      }),
    );
  });

  it('delivers an alert the gateway accepted to every explicit recipient', () => {
    fc.assert(
      fc.property(inputOfKind('alert'), (input) => {
        fc.pre(checkDistribution(input.content, input.sender, input.ref, input.now).length === 0);
        const delivered = deliveredIds(decideRecipients(input));
        return input.content.distribution.recipients.every((id) => delivered.includes(id));
      }),
      { numRuns: 300 },
    );
  });

  it('never sends new content to a partner agency that nothing names, and says so in the decision', () => {
    fc.assert(
      fc.property(inputOfKind('alert'), (input) => {
        const { recipients, sharingGroups } = input.content.distribution;
        const named = new Set(recipients);
        for (const group of input.ref.sharingGroups)
          if (sharingGroups.includes(group.id)) group.members.forEach((id) => named.add(id));
        for (const room of input.ref.rooms ?? [])
          if ((input.content.distribution.rooms ?? []).includes(room.id)) room.members.forEach((id) => named.add(id));
        for (const decision of decideRecipients(input)) {
          const agency = input.ref.agencies.find((a) => a.id === decision.recipient);
          if (agency?.kind !== 'partner-agency' || named.has(agency.id)) continue;
          expect(decision.decision).toBe('withheld');
          if (input.content.distribution.scope === 'regional' && agency.id !== input.sender)
            expect(['PARTNER_NOT_REGIONAL', 'TLP_REQUIRES_EXPLICIT_RECIPIENT']).toContain(decision.reason);
        }
      }),
    );
  });

  it('withholds every decision it does not deliver with asCancel false', () => {
    fc.assert(
      fc.property(routingInput, (input) =>
        decideRecipients(input).every((decision) => decision.decision === 'delivered' || decision.asCancel === false),
      ),
    );
  });
});
