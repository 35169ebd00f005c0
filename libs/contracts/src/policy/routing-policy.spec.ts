import { DistributionScope, TlpLevel } from '../alert/enums';
import { NOW, REF, SENDER } from './policy.fixtures';
import {
  decideRecipient,
  decideRecipients,
  RoutingContent,
  RoutingDecision,
  RoutingInput,
  RoutingPolicy,
} from './routing-policy';
import { RoutingReason } from './routing-reason';
import { checkDistribution } from './check-distribution';

function routingContent(
  tlp: TlpLevel,
  scope: DistributionScope,
  recipients: string[] = [],
  sharingGroups: string[] = [],
): RoutingContent {
  return { tlp, distribution: { scope, recipients, sharingGroups } };
}

function input(overrides: Partial<RoutingInput> & Pick<RoutingInput, 'content'>): RoutingInput {
  return { kind: 'alert', sender: SENDER, previousRecipients: [], ref: REF, now: NOW, ...overrides };
}

/** Decisions as `recipient: REASON` (+ `(cancel)`), delivered ones first marked with `+`, withheld with `-`. */
function summary(decisions: RoutingDecision[]): string[] {
  return decisions.map(
    (decision) =>
      `${decision.decision === 'delivered' ? '+' : '-'} ${decision.recipient}: ${decision.reason}${decision.asCancel ? ' (cancel)' : ''}`,
  );
}

describe('RoutingPolicy: a new alert', () => {
  it('regional reaches every active agency except the sender, and names why the others were withheld', () => {
    expect(summary(decideRecipients(input({ content: routingContent('GREEN', 'regional') })))).toEqual([
      '+ CARICC: REGIONAL',
      '+ KG-BS: REGIONAL',
      '+ KZ-CUSTOMS: REGIONAL',
      '- TJ-DCA: SENDER',
      '- TM-BS: INACTIVE',
      '+ UZ-NCDC: REGIONAL',
    ]);
  });

  it('restricted reaches the recipients and the members of the named groups, sender and inactive members excepted', () => {
    const decisions = decideRecipients(
      input({ content: routingContent('AMBER', 'restricted', ['KG-BS'], ['ca-customs']) }),
    );
    expect(summary(decisions)).toEqual([
      '- CARICC: NOT_ADDRESSED',
      '+ KG-BS: ADDRESSED',
      '+ KZ-CUSTOMS: GROUP_MEMBER',
      '- TJ-DCA: SENDER',
      '- TM-BS: INACTIVE',
      '+ UZ-NCDC: GROUP_MEMBER',
    ]);
  });

  it('prefers ADDRESSED over GROUP_MEMBER when an agency is both', () => {
    const decision = decideRecipient(
      input({ content: routingContent('AMBER', 'restricted', ['UZ-NCDC'], ['ca-customs']) }),
      'UZ-NCDC',
    );
    expect(decision).toEqual({
      recipient: 'UZ-NCDC',
      decision: 'delivered',
      reason: RoutingReason.Addressed,
      asCancel: false,
    });
  });

  it('withholds from members of an expired group unless another named group still includes them', () => {
    const onlyExpired = decideRecipients(
      input({ content: routingContent('GREEN', 'restricted', [], ['old-operation']) }),
    );
    expect(summary(onlyExpired).filter((line) => /KG-BS|KZ-CUSTOMS/.test(line))).toEqual([
      '- KG-BS: GROUP_EXPIRED',
      '- KZ-CUSTOMS: GROUP_EXPIRED',
    ]);
    const withLiveGroup = decideRecipients(
      input({ content: routingContent('GREEN', 'restricted', [], ['old-operation', 'spring-operation']) }),
    );
    expect(summary(withLiveGroup).filter((line) => /KG-BS|KZ-CUSTOMS/.test(line))).toEqual([
      '- KG-BS: GROUP_EXPIRED',
      '+ KZ-CUSTOMS: GROUP_MEMBER',
    ]);
  });

  it('never sends RED to group members, even when a group slipped past the gateway', () => {
    const decisions = decideRecipients(
      input({ content: routingContent('RED', 'restricted', ['KG-BS'], ['ca-customs']) }),
    );
    expect(summary(decisions)).toEqual([
      '- CARICC: NOT_ADDRESSED',
      '+ KG-BS: ADDRESSED',
      '- KZ-CUSTOMS: RED_GROUP_NOT_ALLOWED',
      '- TJ-DCA: SENDER',
      '- TM-BS: RED_GROUP_NOT_ALLOWED',
      '- UZ-NCDC: RED_GROUP_NOT_ALLOWED',
    ]);
  });

  it('sends AMBER+STRICT to explicit recipients only', () => {
    const decisions = decideRecipients(
      input({ content: routingContent('AMBER+STRICT', 'restricted', ['UZ-NCDC'], ['ca-customs']) }),
    );
    expect(summary(decisions).filter((line) => line.startsWith('+'))).toEqual(['+ UZ-NCDC: ADDRESSED']);
    expect(
      decideRecipient(
        input({ content: routingContent('AMBER+STRICT', 'restricted', ['UZ-NCDC'], ['ca-customs']) }),
        'KZ-CUSTOMS',
      ).reason,
    ).toBe(RoutingReason.TlpRequiresExplicitRecipient);
  });

  it.each<TlpLevel>(['RED', 'AMBER+STRICT'])('withholds %s with regional scope from everyone', (tlp) => {
    const decisions = decideRecipients(input({ content: routingContent(tlp, 'regional', ['KG-BS']) }));
    expect(decisions.filter((decision) => decision.decision === 'delivered')).toEqual([]);
    expect(decideRecipient(input({ content: routingContent(tlp, 'regional', ['KG-BS']) }), 'KG-BS').reason).toBe(
      RoutingReason.TlpRequiresExplicitRecipient,
    );
  });

  it('withholds from an addressed agency that is inactive, unknown, or the sender itself', () => {
    const decisions = decideRecipients(
      input({ content: routingContent('AMBER', 'restricted', ['TM-BS', 'KZ-NEW', 'TJ-DCA']) }),
    );
    expect(summary(decisions)).toEqual([
      '- CARICC: NOT_ADDRESSED',
      '- KG-BS: NOT_ADDRESSED',
      '- KZ-CUSTOMS: NOT_ADDRESSED',
      '- KZ-NEW: UNKNOWN_AGENCY',
      '- TJ-DCA: SENDER',
      '- TM-BS: INACTIVE',
      '- UZ-NCDC: NOT_ADDRESSED',
    ]);
  });

  it('ignores named groups that do not exist', () => {
    const decisions = decideRecipients(
      input({ content: routingContent('GREEN', 'restricted', ['KG-BS'], ['no-such-group']) }),
    );
    expect(summary(decisions).filter((line) => line.startsWith('+'))).toEqual(['+ KG-BS: ADDRESSED']);
  });
});

describe('RoutingPolicy: an update', () => {
  it('goes to still-entitled and newly entitled agencies, and withdraws it from previous recipients no longer entitled', () => {
    const decisions = decideRecipients(
      input({
        kind: 'update',
        content: routingContent('AMBER', 'restricted', ['UZ-NCDC', 'KZ-CUSTOMS']),
        previousRecipients: ['KG-BS', 'UZ-NCDC'],
      }),
    );
    expect(summary(decisions)).toEqual([
      '- CARICC: NOT_ADDRESSED',
      '+ KG-BS: RECALLED_BY_UPDATE (cancel)',
      '+ KZ-CUSTOMS: ADDRESSED',
      '- TJ-DCA: SENDER',
      '- TM-BS: NOT_ADDRESSED',
      '+ UZ-NCDC: ADDRESSED',
    ]);
  });

  it('withdraws instead of updating a previous recipient that has been deactivated', () => {
    const decision = decideRecipient(
      input({
        kind: 'update',
        content: routingContent('AMBER', 'restricted', ['TM-BS', 'KG-BS']),
        previousRecipients: ['TM-BS', 'KG-BS'],
      }),
      'TM-BS',
    );
    expect(decision).toEqual({
      recipient: 'TM-BS',
      decision: 'delivered',
      reason: RoutingReason.RecalledInactive,
      asCancel: true,
    });
  });

  it('withdraws from a previous recipient the reference data no longer knows', () => {
    const decision = decideRecipient(
      input({ kind: 'update', content: routingContent('GREEN', 'regional'), previousRecipients: ['XX-GONE'] }),
      'XX-GONE',
    );
    expect(decision).toEqual({
      recipient: 'XX-GONE',
      decision: 'delivered',
      reason: RoutingReason.RecalledInactive,
      asCancel: true,
    });
  });

  it('withdraws from former group members when the update raises the TLP to RED', () => {
    const decisions = decideRecipients(
      input({
        kind: 'update',
        content: routingContent('RED', 'restricted', ['KG-BS'], ['ca-customs']),
        previousRecipients: ['KG-BS', 'UZ-NCDC', 'KZ-CUSTOMS'],
      }),
    );
    expect(summary(decisions).filter((line) => line.startsWith('+'))).toEqual([
      '+ KG-BS: ADDRESSED',
      '+ KZ-CUSTOMS: RECALLED_BY_UPDATE (cancel)',
      '+ UZ-NCDC: RECALLED_BY_UPDATE (cancel)',
    ]);
  });

  it('does not withdraw from an agency that never received the alert', () => {
    const decision = decideRecipient(
      input({ kind: 'update', content: routingContent('AMBER', 'restricted', ['KG-BS']) }),
      'UZ-NCDC',
    );
    expect(decision).toEqual({
      recipient: 'UZ-NCDC',
      decision: 'withheld',
      reason: RoutingReason.NotAddressed,
      asCancel: false,
    });
  });
});

describe('RoutingPolicy: a cancel', () => {
  it('reaches every previous recipient, including deactivated and no longer known ones, and nobody else', () => {
    const decisions = decideRecipients(
      input({
        kind: 'cancel',
        content: routingContent('GREEN', 'regional'),
        previousRecipients: ['KG-BS', 'TM-BS', 'XX-GONE'],
      }),
    );
    expect(summary(decisions)).toEqual([
      '- CARICC: NOT_PREVIOUS_RECIPIENT',
      '+ KG-BS: PREVIOUS_RECIPIENT (cancel)',
      '- KZ-CUSTOMS: NOT_PREVIOUS_RECIPIENT',
      '- TJ-DCA: SENDER',
      '+ TM-BS: PREVIOUS_RECIPIENT (cancel)',
      '- UZ-NCDC: NOT_PREVIOUS_RECIPIENT',
      '+ XX-GONE: PREVIOUS_RECIPIENT (cancel)',
    ]);
  });

  it('does not consult the content: a cancelled RED alert still reaches everyone who had it', () => {
    const decisions = decideRecipients(
      input({
        kind: 'cancel',
        content: routingContent('RED', 'regional', [], ['ca-customs']),
        previousRecipients: ['UZ-NCDC'],
      }),
    );
    expect(summary(decisions).filter((line) => line.startsWith('+'))).toEqual([
      '+ UZ-NCDC: PREVIOUS_RECIPIENT (cancel)',
    ]);
  });
});

describe('RoutingPolicy.decide', () => {
  it('gives the same decision for one recipient as decideRecipients gives in the list', () => {
    const routingInput = input({
      kind: 'update',
      content: routingContent('AMBER', 'restricted', ['KG-BS'], ['ca-customs', 'old-operation']),
      previousRecipients: ['CARICC'],
    });
    for (const decision of RoutingPolicy.decideRecipients(routingInput)) {
      expect(RoutingPolicy.decide(routingInput, decision.recipient)).toEqual(decision);
    }
  });
});

describe('RoutingPolicy: partner agencies', () => {
  const withPartner = {
    ...REF,
    agencies: [...REF.agencies, { id: 'AF-CND', kind: 'partner-agency' as const, active: true, country: 'AF' }],
    sharingGroups: [...REF.sharingGroups, { id: 'with-partner', members: ['AF-CND', 'KG-BS'], expiresAt: null }],
  };

  it('is never reached by regional scope, and the decision says why', () => {
    const decisions = decideRecipients(input({ ref: withPartner, content: routingContent('GREEN', 'regional') }));
    expect(summary(decisions)).toContain('- AF-CND: PARTNER_NOT_REGIONAL');
    expect(summary(decisions)).toContain('+ KG-BS: REGIONAL');
  });

  it('receives what names it: as a recipient or as a member of a named group', () => {
    const addressed = input({ ref: withPartner, content: routingContent('AMBER', 'restricted', ['AF-CND']) });
    expect(decideRecipient(addressed, 'AF-CND')).toMatchObject({ decision: 'delivered', reason: 'ADDRESSED' });
    const grouped = input({ ref: withPartner, content: routingContent('GREEN', 'restricted', [], ['with-partner']) });
    expect(decideRecipient(grouped, 'AF-CND')).toMatchObject({ decision: 'delivered', reason: 'GROUP_MEMBER' });
  });

  it('gets the withdrawal when an update turns a restricted alert that named it regional', () => {
    const update = input({
      kind: 'update',
      ref: withPartner,
      content: routingContent('GREEN', 'regional'),
      previousRecipients: ['AF-CND'],
    });
    expect(decideRecipient(update, 'AF-CND')).toMatchObject({
      decision: 'delivered',
      reason: 'RECALLED_BY_UPDATE',
      asCancel: true,
    });
  });
});

describe('RoutingPolicy: operation rooms', () => {
  const ROOM = '11111111-1111-4111-8111-111111111111';
  const CLOSED = '22222222-2222-4222-8222-222222222222';
  const withRooms = {
    ...REF,
    agencies: [...REF.agencies, { id: 'AF-CND', kind: 'partner-agency' as const, active: true, country: 'AF' }],
    rooms: [
      { id: ROOM, members: ['TJ-DCA', 'KG-BS', 'AF-CND', 'TM-BS'], closesAt: '2025-06-01T00:00:00Z', closedAt: null },
      {
        id: CLOSED,
        members: ['TJ-DCA', 'UZ-NCDC'],
        closesAt: '2025-06-01T00:00:00Z',
        closedAt: '2025-04-30T00:00:00Z',
      },
    ],
  };
  const toRooms = (tlp: TlpLevel, rooms: string[], recipients: string[] = []): RoutingContent => ({
    tlp,
    distribution: { scope: 'restricted', recipients, sharingGroups: [], rooms },
  });

  it('reaches the members of an open room (a partner included), each decided with its own reason', () => {
    expect(summary(decideRecipients(input({ ref: withRooms, content: toRooms('AMBER', [ROOM]) })))).toEqual([
      '+ AF-CND: ROOM_MEMBER',
      '- CARICC: NOT_ADDRESSED',
      '+ KG-BS: ROOM_MEMBER',
      '- KZ-CUSTOMS: NOT_ADDRESSED',
      '- TJ-DCA: SENDER',
      '- TM-BS: INACTIVE',
      '- UZ-NCDC: NOT_ADDRESSED',
    ]);
  });

  it('withholds the members of a closed room, RED and AMBER+STRICT content, and prefers ADDRESSED', () => {
    const closed = input({ ref: withRooms, content: toRooms('GREEN', [CLOSED]) });
    expect(decideRecipient(closed, 'UZ-NCDC')).toMatchObject({ decision: 'withheld', reason: 'ROOM_CLOSED' });
    const red = input({ ref: withRooms, content: toRooms('RED', [ROOM], ['UZ-NCDC']) });
    expect(decideRecipient(red, 'KG-BS')).toMatchObject({ decision: 'withheld', reason: 'RED_GROUP_NOT_ALLOWED' });
    const strict = input({ ref: withRooms, content: toRooms('AMBER+STRICT', [ROOM], ['UZ-NCDC']) });
    expect(decideRecipient(strict, 'KG-BS')).toMatchObject({
      decision: 'withheld',
      reason: 'TLP_REQUIRES_EXPLICIT_RECIPIENT',
    });
    const both = input({ ref: withRooms, content: toRooms('AMBER', [ROOM], ['KG-BS']) });
    expect(decideRecipient(both, 'KG-BS')).toMatchObject({ decision: 'delivered', reason: 'ADDRESSED' });
  });

  it('the gateway refuses an unknown room, one the sender is not in, and a closed one, naming distribution.rooms[i]', () => {
    const content = toRooms('GREEN', [ROOM, CLOSED, '33333333-3333-4333-8333-333333333333']);
    expect(checkDistribution(content, 'TJ-DCA', withRooms, NOW)).toEqual([
      { path: 'distribution.rooms[1]', message: 'is closed' },
      { path: 'distribution.rooms[2]', message: 'is not a known room' },
    ]);
    expect(checkDistribution(toRooms('GREEN', [ROOM]), 'UZ-NCDC', withRooms, NOW)).toEqual([
      { path: 'distribution.rooms[0]', message: 'is not a known room' },
    ]);
  });
});
