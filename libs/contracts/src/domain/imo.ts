/**
 * IMO ship identification number: "IMO" and 7 digits, written with or without one space
 * ("IMO 9074729" on hulls and in registers, "IMO9074729" in many databases).
 */
const IMO_NUMBER_FORMAT = /^IMO ?(\d{7})$/;

export type ImoNumberProblem = { kind: 'format' } | { kind: 'check-digit'; expected: number };

/** Check digit of the first six digits: weights 7 down to 2, sum mod 10. */
export function imoCheckDigit(firstSixDigits: string): number {
  if (!/^\d{6}$/.test(firstSixDigits)) {
    throw new RangeError(`not six digits: ${JSON.stringify(firstSixDigits)}`);
  }
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += Number(firstSixDigits[i]) * (7 - i);
  return sum % 10;
}

/** Why a value is not a valid IMO number, or null when it is one. */
export function imoNumberProblem(value: unknown): ImoNumberProblem | null {
  const match = typeof value === 'string' ? IMO_NUMBER_FORMAT.exec(value) : null;
  if (!match) return { kind: 'format' };
  const digits = match[1];
  const expected = imoCheckDigit(digits.slice(0, 6));
  return Number(digits[6]) === expected ? null : { kind: 'check-digit', expected };
}

export function isImoNumber(value: unknown): value is string {
  return imoNumberProblem(value) === null;
}
