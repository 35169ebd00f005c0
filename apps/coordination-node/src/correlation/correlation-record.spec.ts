import fc from 'fast-check';
import {
  CorrelatedAlert,
  correlationIdFor,
  describeCorrelation,
  matchNoticesOf,
  renderNotice,
} from './correlation-record';
import { Identifier } from '@hub/contracts/domain/identifiers';

const container: Identifier = { kind: 'container', key: 'CSQU3054383' };
const CENTRE = 'CARICC';

function alert(alertId: string, agencyId: string, tlp = 'AMBER', recipients: string[] = []): CorrelatedAlert {
  return { alertId, agencyId, tlp, recipients };
}

/** Who holds which alert: "alertId>agency" pairs. */
function holdings(...pairs: string[]) {
  const held = new Set(pairs);
  return (alertId: string, agencyId: string) => held.has(`${alertId}>${agencyId}`);
}

describe('describeCorrelation', () => {
  it('is no correlation when every match comes from the same agency', () => {
    const record = describeCorrelation({
      identifier: container,
      trigger: alert('b1', 'KZ-CND'),
      matches: [alert('a1', 'KZ-CND'), alert('a2', 'KZ-CND')],
      holds: () => true,
      regionalCentreId: CENTRE,
    });
    expect(record).toBeNull();
  });

  it('links alerts of different agencies and leaves out the same-agency ones', () => {
    const record = describeCorrelation({
      identifier: container,
      trigger: alert('b1', 'TJ-DCA'),
      matches: [alert('a1', 'KZ-CND'), alert('t0', 'TJ-DCA')],
      holds: holdings('a1>TJ-DCA', 'b1>KZ-CND'),
      regionalCentreId: CENTRE,
    })!;
    expect(record.alerts).toEqual([
      { alertId: 'b1', agencyId: 'TJ-DCA' },
      { alertId: 'a1', agencyId: 'KZ-CND' },
    ]);
    expect(record.agencies).toEqual(['TJ-DCA', 'KZ-CND']);
    expect(record.correlationId).toBe(correlationIdFor('b1', container));
  });

  it("tells owners who hold each other's alerts which alert matched, and on what", () => {
    const record = describeCorrelation({
      identifier: container,
      trigger: alert('b1', 'TJ-DCA'),
      matches: [alert('a1', 'KZ-CND')],
      holds: holdings('a1>TJ-DCA', 'b1>KZ-CND'),
      regionalCentreId: CENTRE,
    })!;
    expect(record.restricted).toBe(false);
    expect(record.notices).toEqual([
      { agencyId: 'TJ-DCA', alertId: 'b1', otherAgencyId: 'KZ-CND', otherAlertIds: ['a1'], restricted: false },
      { agencyId: 'KZ-CND', alertId: 'a1', otherAgencyId: 'TJ-DCA', otherAlertIds: ['b1'], restricted: false },
    ]);
    expect(renderNotice(record.notices[0], container)).toBe(
      'Your alert b1 matches alert a1 of KZ-CND on container CSQU3054383.',
    );
  });

  it('tells an owner that does not hold the other alert only that a match exists and whom to contact', () => {
    const record = describeCorrelation({
      identifier: container,
      trigger: alert('b1', 'TJ-DCA'),
      matches: [alert('a1', 'KZ-CND')],
      // KZ-CND received TJ's alert, TJ-DCA never received KZ's.
      holds: holdings('b1>KZ-CND'),
      regionalCentreId: CENTRE,
    })!;
    const [toTrigger, toMatch] = record.notices;
    expect(toTrigger).toEqual({
      agencyId: 'TJ-DCA',
      alertId: 'b1',
      otherAgencyId: 'KZ-CND',
      otherAlertIds: [],
      restricted: true,
    });
    expect(toMatch.restricted).toBe(false);
    expect(record.restricted).toBe(true);
    const text = renderNotice(toTrigger, container);
    expect(text).toBe('Your alert b1 matches an alert of KZ-CND that is not shared with you. Contact KZ-CND.');
    expect(text).not.toContain('a1');
    expect(text).not.toContain(container.key);
  });

  it.each(['RED', 'AMBER+STRICT'])('restricts both sides when either alert is %s, even between recipients', (tlp) => {
    const record = describeCorrelation({
      identifier: container,
      trigger: alert('b1', 'TJ-DCA', tlp, ['KZ-CND']),
      matches: [alert('a1', 'KZ-CND')],
      holds: () => true,
      regionalCentreId: CENTRE,
    })!;
    expect(record.notices.every((notice) => notice.restricted && notice.otherAlertIds.length === 0)).toBe(true);
    for (const notice of record.notices) expect(renderNotice(notice, container)).not.toContain(container.key);
  });

  it('withholds the record from the centre when a RED alert does not name it, not when it does', () => {
    const input = {
      identifier: container,
      matches: [alert('a1', 'KZ-CND')],
      holds: () => true,
      regionalCentreId: CENTRE,
    };
    expect(
      describeCorrelation({ ...input, trigger: alert('b1', 'TJ-DCA', 'RED', ['KZ-CND']) })!.withheldFromCentre,
    ).toBe(true);
    expect(
      describeCorrelation({ ...input, trigger: alert('b1', 'TJ-DCA', 'RED', ['KZ-CND', CENTRE]) })!.withheldFromCentre,
    ).toBe(false);
    expect(describeCorrelation({ ...input, trigger: alert('b1', 'TJ-DCA', 'AMBER') })!.withheldFromCentre).toBe(false);
  });

  it("groups the trigger owner's notice per other agency", () => {
    const record = describeCorrelation({
      identifier: container,
      trigger: alert('b1', 'TJ-DCA'),
      matches: [alert('a1', 'KZ-CND'), alert('a2', 'KZ-CND'), alert('u1', 'UZ-NIC')],
      holds: () => true,
      regionalCentreId: CENTRE,
    })!;
    const toTrigger = record.notices.filter((notice) => notice.agencyId === 'TJ-DCA');
    expect(toTrigger.map((n) => [n.otherAgencyId, n.otherAlertIds])).toEqual([
      ['KZ-CND', ['a1', 'a2']],
      ['UZ-NIC', ['u1']],
    ]);
    expect(renderNotice(toTrigger[0], null)).toBe('Your alert b1 matches alerts a1, a2 of KZ-CND.');
    expect(record.notices).toHaveLength(5);
  });
});

describe('describeCorrelation (properties)', () => {
  const tlp = fc.constantFrom('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED');
  const agency = fc.constantFrom('KZ-CND', 'TJ-DCA', 'UZ-NIC', 'KG-BS');
  const correlated = (index: number) =>
    fc
      .record({
        agencyId: agency,
        tlp,
        recipients: fc.uniqueArray(fc.constantFrom('KZ-CND', 'TJ-DCA', CENTRE), { maxLength: 3 }),
      })
      .map((a) => ({ ...a, alertId: `alert-${index}` }));

  it('never tells an owner more than "a match exists, contact X" about an alert it may not see', () => {
    fc.assert(
      fc.property(
        correlated(0),
        fc
          .array(fc.nat(5), { minLength: 1, maxLength: 5 })
          .chain((indices) => fc.tuple(...indices.map((_, i) => correlated(i + 1)))),
        fc.func(fc.boolean()),
        (trigger, matches, holdsAnswer) => {
          const holds = (alertId: string, agencyId: string) => holdsAnswer(alertId, agencyId);
          const record = describeCorrelation({
            identifier: container,
            trigger,
            matches,
            holds,
            regionalCentreId: CENTRE,
          });
          const crossAgency = matches.filter((m) => m.agencyId !== trigger.agencyId);
          if (crossAgency.length === 0) {
            expect(record).toBeNull();
            return;
          }
          expect(record).not.toBeNull();
          const byId = new Map([trigger, ...matches].map((a) => [a.alertId, a]));
          for (const notice of record!.notices) {
            expect(notice.otherAgencyId).not.toBe(notice.agencyId);
            const own = byId.get(notice.alertId)!;
            for (const otherId of notice.otherAlertIds) {
              const other = byId.get(otherId)!;
              // Named only when the owner holds it and neither side is RED / AMBER+STRICT.
              expect(holds(otherId, notice.agencyId)).toBe(true);
              expect(['RED', 'AMBER+STRICT']).not.toContain(other.tlp);
              expect(['RED', 'AMBER+STRICT']).not.toContain(own.tlp);
            }
            if (notice.restricted) {
              const text = renderNotice(notice, container);
              expect(text).not.toContain(container.key);
              for (const other of byId.keys()) if (other !== notice.alertId) expect(text).not.toContain(other);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('matchNoticesOf', () => {
  const record = describeCorrelation({
    identifier: container,
    trigger: alert('11111111-1111-4111-8111-111111111111', 'TJ-DCA'),
    matches: [
      alert('22222222-2222-4222-8222-222222222222', 'KZ-CND'),
      alert('33333333-3333-4333-8333-333333333333', 'UZ-NIC', 'RED'),
    ],
    // KZ and TJ hold each other's alert; UZ's RED alert is restricted whoever holds it.
    holds: holdings('22222222-2222-4222-8222-222222222222>TJ-DCA', '11111111-1111-4111-8111-111111111111>KZ-CND'),
    regionalCentreId: CENTRE,
  })!;
  const versions = new Map([['11111111-1111-4111-8111-111111111111', 2]]);
  const notices = matchNoticesOf(record, (id) => versions.get(id) ?? 1, '2030-01-01T00:00:00.000Z');

  it('gives each owner exactly the text of its notice in the record, and its own alert version', () => {
    expect(notices.map((n) => [n.recipient, n.alertId, n.version, n.text])).toEqual(
      record.notices.map((n) => [
        n.agencyId,
        n.alertId,
        versions.get(n.alertId) ?? 1,
        renderNotice(n, record.identifier),
      ]),
    );
  });

  it('carries nothing of the other alert when restricted', () => {
    const toUz = notices.find((n) => n.recipient === 'UZ-NIC')!;
    expect(toUz).toMatchObject({ restricted: true, otherAlertIds: [], otherAgencyId: 'TJ-DCA' });
    expect(toUz.text).toBe(
      'Your alert 33333333-3333-4333-8333-333333333333 matches an alert of TJ-DCA that is not shared with you. Contact TJ-DCA.',
    );
    const toKz = notices.find((n) => n.recipient === 'KZ-CND')!;
    expect(toKz).toMatchObject({ restricted: false, otherAlertIds: ['11111111-1111-4111-8111-111111111111'] });
    expect(toKz.text).toContain('CSQU3054383');
  });

  it('derives notice ids from the correlation and the owner alert: the same on a retry, distinct within a record', () => {
    const again = matchNoticesOf(record, (id) => versions.get(id) ?? 1, '2031-01-01T00:00:00.000Z');
    expect(again.map((n) => n.noticeId)).toEqual(notices.map((n) => n.noticeId));
    expect(new Set(notices.map((n) => n.noticeId)).size).toBe(notices.length);
    for (const id of notices.map((n) => n.noticeId))
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
