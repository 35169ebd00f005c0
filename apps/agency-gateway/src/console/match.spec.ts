import { identifierOf, sharedHeadline } from './web/match-rules';
import type { InboxItem } from './web/types';

const item = (over: Partial<InboxItem>): InboxItem => ({
  deliveryId: Math.random().toString(36),
  alertId: 'b1',
  kind: 'alert',
  version: 1,
  sender: 'KG-DCS',
  deliveredAt: '2026-01-01T00:00:00Z',
  ...over,
});
const alert = (headline: string) => ({ headline }) as InboxItem['alert'];

describe('match notices as the console shows them', () => {
  it('reads the identifier out of the hub sentence, and nothing out of a restricted one', () => {
    expect(identifierOf('Your alert a1 matches alert b1 of KG-DCS on container CSQU3054383.')).toEqual({
      kind: 'container',
      key: 'CSQU3054383',
    });
    expect(
      identifierOf(
        'Your alert a1 matches alert b1 of KG-DCS on a person (same name across alphabets, same date of birth).',
      ),
    ).toEqual({ kind: 'person-name', key: '' });
    expect(identifierOf('Your alert a1 matches alerts b1, b2 of KG-DCS on phone number +992935551234.')).toEqual({
      kind: 'phone',
      key: '+992935551234',
    });
    expect(
      identifierOf('Your alert a1 matches an alert of KG-DCS that is not shared with you. Contact KG-DCS.'),
    ).toBeNull();
  });

  it('takes the other headline only from an inbox item that still carries the content', () => {
    // Newest first, as the console keeps its inbox.
    expect(
      sharedHeadline('B1', [item({ alert: alert('v2 headline'), version: 2 }), item({ alert: alert('v1') })]),
    ).toBe('v2 headline');
    // A cancel carries no content: the version before it is still the reader's.
    expect(sharedHeadline('b1', [item({ kind: 'cancel' }), item({ alert: alert('kept') })])).toBe('kept');
    // Withdrawn from the reader, or erased: no headline, whatever an older item held.
    expect(
      sharedHeadline('b1', [item({ kind: 'cancel', withdrawn: true }), item({ alert: alert('gone') })]),
    ).toBeNull();
    expect(sharedHeadline('b1', [item({ erased: true }), item({ alert: alert('gone') })])).toBeNull();
    // Not in the inbox, or only as the subject of a match notice: nothing to show.
    expect(sharedHeadline('b1', [item({ alertId: 'c1', alert: alert('other') })])).toBeNull();
    expect(sharedHeadline('b1', [item({ kind: 'match' })])).toBeNull();
    // Room messages (no alertId on the wire) and hit notices in the same inbox are passed over, not read.
    const message = item({ kind: 'room-message', alertId: null as unknown as string });
    expect(sharedHeadline('b1', [message, item({ kind: 'hit' }), item({ alert: alert('kept') })])).toBe('kept');
  });
});
