import * as fc from 'fast-check';
import { containerNumberProblem, isIso6346, iso6346CheckDigit } from './iso6346';

/** The letter values of ISO 6346 Annex A, written out independently of the implementation's generator. */
const ANNEX_A: Record<string, number> = {
  A: 10,
  B: 12,
  C: 13,
  D: 14,
  E: 15,
  F: 16,
  G: 17,
  H: 18,
  I: 19,
  J: 20,
  K: 21,
  L: 23,
  M: 24,
  N: 25,
  O: 26,
  P: 27,
  Q: 28,
  R: 29,
  S: 30,
  T: 31,
  U: 32,
  V: 34,
  W: 35,
  X: 36,
  Y: 37,
  Z: 38,
};

function weightedSumMod11(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (i < 4 ? ANNEX_A[first10[i]] : Number(first10[i])) * 2 ** i;
  return sum % 11;
}

function referenceCheckDigit(first10: string): number {
  return weightedSumMod11(first10) % 10;
}

describe('ISO 6346 container numbers', () => {
  it.each([
    ['CSQU3054383'], // the example in ISO 6346 and most references
    ['MSCU1234566'],
    ['MAEU1234567'],
    ['TGHU9876542'],
    ['HLXU1234561'],
    ['APZU0000015'],
    ['MSKJ0000009'], // category J
    ['ABCZ0000005'], // category Z: 10*1 + 12*2 + 13*4 + 38*8 = 390, 390 mod 11 = 5
    ['CSQU0000070'], // sum mod 11 = 10 gives check digit 0
  ])('accepts %s', (value) => {
    expect(containerNumberProblem(value)).toBeNull();
    expect(isIso6346(value)).toBe(true);
  });

  it.each([
    ['CSQU3054384', 3],
    ['CSQU3054380', 3],
    ['MSCU1234567', 6],
    ['CSQU0000071', 0],
  ])('reports the expected check digit for %s', (value, expected) => {
    expect(containerNumberProblem(value)).toEqual({ kind: 'check-digit', expected });
    expect(isIso6346(value)).toBe(false);
  });

  it.each([
    'csqu3054383', // lower case
    'CSQU 305438 3', // separators
    'CSQA3054383', // category must be U, J or Z
    'CSQU305438', // too short
    'CSQU30543833', // too long
    'CS1U3054383', // digit in owner code
    'CSQU30543X3', // letter in serial
    '',
  ])('rejects the malformed %j as a format problem', (value) => {
    expect(containerNumberProblem(value)).toEqual({ kind: 'format' });
  });

  it.each([null, undefined, 3054383, {}])('rejects the non-string %j as a format problem', (value) => {
    expect(containerNumberProblem(value)).toEqual({ kind: 'format' });
  });

  it('throws when asked for the check digit of something that is not owner code + category + serial', () => {
    expect(() => iso6346CheckDigit('CSQU30543')).toThrow(RangeError);
    expect(() => iso6346CheckDigit('csqu305438')).toThrow(RangeError);
  });

  const ownerCategorySerial = fc
    .tuple(fc.stringMatching(/^[A-Z]{3}$/), fc.constantFrom('U', 'J', 'Z'), fc.stringMatching(/^\d{6}$/))
    .map(([owner, category, serial]) => `${owner}${category}${serial}`);

  it('agrees with the Annex A table for every owner code, category and serial', () => {
    fc.assert(
      fc.property(ownerCategorySerial, (first10) => iso6346CheckDigit(first10) === referenceCheckDigit(first10)),
    );
  });

  it('accepts exactly one of the ten possible final digits', () => {
    fc.assert(
      fc.property(ownerCategorySerial, (first10) => {
        const accepted = '0123456789'.split('').filter((digit) => isIso6346(first10 + digit));
        return accepted.length === 1 && accepted[0] === String(referenceCheckDigit(first10));
      }),
    );
  });

  // Remainder 10 folds onto check digit 0, which is why owners never issue such serials; outside that
  // case the mod-11 sum catches every single-digit error.
  it('detects every single-digit change in the serial when neither number has remainder 10', () => {
    fc.assert(
      fc.property(
        ownerCategorySerial,
        fc.integer({ min: 4, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        (first10, position, delta) => {
          const changedDigit = (Number(first10[position]) + delta) % 10;
          const mutated10 = first10.slice(0, position) + String(changedDigit) + first10.slice(position + 1);
          fc.pre(weightedSumMod11(first10) !== 10 && weightedSumMod11(mutated10) !== 10);
          return !isIso6346(mutated10 + String(iso6346CheckDigit(first10)));
        },
      ),
    );
  });
});
