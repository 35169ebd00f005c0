/**
 * ISO 6346 freight container identification: owner code (3 letters), equipment category
 * (U freight container, J detachable freight equipment, Z trailer/chassis), 6-digit serial, check digit.
 */
const CONTAINER_NUMBER_FORMAT = /^[A-Z]{3}[UJZ]\d{7}$/;

/** A=10 … Z=38, skipping 11, 22 and 33 (multiples of 11 would weaken the mod-11 check). */
const LETTER_VALUES: ReadonlyMap<string, number> = (() => {
  const values = new Map<string, number>();
  let next = 10;
  for (let code = 'A'.charCodeAt(0); code <= 'Z'.charCodeAt(0); code++) {
    if (next % 11 === 0) next++;
    values.set(String.fromCharCode(code), next);
    next++;
  }
  return values;
})();

export type ContainerNumberProblem = { kind: 'format' } | { kind: 'check-digit'; expected: number };

/**
 * Check digit of the first 10 characters (owner code, category, serial).
 * Throws on anything else: callers decide format first, this is arithmetic only.
 */
export function iso6346CheckDigit(ownerCategorySerial: string): number {
  if (!/^[A-Z]{4}\d{6}$/.test(ownerCategorySerial)) {
    throw new RangeError(`not an ISO 6346 owner code, category and serial: ${JSON.stringify(ownerCategorySerial)}`);
  }
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const char = ownerCategorySerial[i];
    const value = i < 4 ? (LETTER_VALUES.get(char) as number) : Number(char);
    sum += value * 2 ** i;
  }
  return (sum % 11) % 10;
}

/** Why a value is not a valid container number, or null when it is one. */
export function containerNumberProblem(value: unknown): ContainerNumberProblem | null {
  if (typeof value !== 'string' || !CONTAINER_NUMBER_FORMAT.test(value)) return { kind: 'format' };
  const expected = iso6346CheckDigit(value.slice(0, 10));
  return Number(value[10]) === expected ? null : { kind: 'check-digit', expected };
}

export function isIso6346(value: unknown): value is string {
  return containerNumberProblem(value) === null;
}
