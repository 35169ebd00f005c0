import { HANDLING_CODES, TLP_LEVELS } from '../alert/enums';
import { forwardAllowed } from './forwarding';

describe('forwardAllowed', () => {
  const refused = (tlp: string, handlingCode: string): boolean =>
    tlp === 'RED' || tlp === 'AMBER+STRICT' || handlingCode === 'H2';

  it.each(TLP_LEVELS.flatMap((tlp) => HANDLING_CODES.map((handlingCode) => [tlp, handlingCode] as const)))(
    'TLP %s with %s',
    (tlp, handlingCode) => {
      expect(forwardAllowed({ tlp, handlingCode })).toBe(!refused(tlp, handlingCode));
    },
  );

  it('refuses exactly RED, AMBER+STRICT and H2', () => {
    expect(forwardAllowed({ tlp: 'RED', handlingCode: 'H0' })).toBe(false);
    expect(forwardAllowed({ tlp: 'AMBER+STRICT', handlingCode: 'H1' })).toBe(false);
    expect(forwardAllowed({ tlp: 'CLEAR', handlingCode: 'H2' })).toBe(false);
    expect(forwardAllowed({ tlp: 'AMBER', handlingCode: 'H3' })).toBe(true);
  });
});
