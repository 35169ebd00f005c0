import * as fc from 'fast-check';
import { imoCheckDigit, imoNumberProblem, isImoNumber } from './imo';

describe('IMO ship numbers', () => {
  it.each([
    'IMO 9074729', // example from the IMO resolution A.1117(30)
    'IMO9074729',
    'IMO 9321483', // Emma Maersk
    'IMO 9241061', // Queen Mary 2
  ])('accepts %s', (value) => {
    expect(imoNumberProblem(value)).toBeNull();
    expect(isImoNumber(value)).toBe(true);
  });

  it('computes the check digit as the weighted sum (7..2) of the first six digits mod 10', () => {
    // 9*7 + 0*6 + 7*5 + 4*4 + 7*3 + 2*2 = 139
    expect(imoCheckDigit('907472')).toBe(9);
    expect(imoCheckDigit('000000')).toBe(0);
    expect(imoCheckDigit('100000')).toBe(7);
  });

  it.each([
    ['IMO 9074728', 9],
    ['IMO9074720', 9],
    ['IMO 9321484', 3],
  ])('reports the expected check digit for %s', (value, expected) => {
    expect(imoNumberProblem(value)).toEqual({ kind: 'check-digit', expected });
    expect(isImoNumber(value)).toBe(false);
  });

  it.each([
    '9074729',
    'imo 9074729',
    'IMO  9074729',
    'IMO 907472',
    'IMO 90747299',
    'IMO-9074729',
    'IMO 907472X',
    ' IMO 9074729',
    '',
  ])('rejects the malformed %j as a format problem', (value) =>
    expect(imoNumberProblem(value)).toEqual({ kind: 'format' }),
  );

  it.each([null, 9074729, {}])('rejects the non-string %j as a format problem', (value) => {
    expect(imoNumberProblem(value)).toEqual({ kind: 'format' });
  });

  it('throws on a check-digit request for anything but six digits', () => {
    expect(() => imoCheckDigit('90747')).toThrow(RangeError);
  });

  it('accepts exactly one final digit for every six-digit prefix', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{6}$/), (prefix) => {
        const accepted = '0123456789'.split('').filter((digit) => isImoNumber(`IMO ${prefix}${digit}`));
        return accepted.length === 1 && accepted[0] === String(imoCheckDigit(prefix));
      }),
    );
  });
});
