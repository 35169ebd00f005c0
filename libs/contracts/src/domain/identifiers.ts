import { personKey } from './person-names';

/**
 * Normalisers that turn the identifiers agencies write into match keys: two agencies that saw the same
 * container, plate, document, phone or ship must produce the same key however they typed it. Pure functions;
 * every normaliser is idempotent (normalising a key gives the key back), which the property tests check.
 */

export const IDENTIFIER_KINDS = [
  'container',
  'vehicle-plate',
  'vehicle-vin',
  'person-document',
  'phone',
  'vessel-imo',
  'person-name',
] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

export interface Identifier {
  kind: IdentifierKind;
  key: string;
}

export const IDENTIFIER_LABELS: Readonly<Record<IdentifierKind, string>> = {
  container: 'container',
  'vehicle-plate': 'vehicle plate',
  'vehicle-vin': 'VIN',
  'person-document': 'travel document',
  phone: 'phone number',
  'vessel-imo': 'vessel',
  'person-name': 'person',
};

/**
 * Cyrillic capitals that look exactly like Latin ones (the GOST plate alphabet, plus І). Officers type plates
 * and document numbers on Cyrillic keyboards; "А123ВС" and "A123BC" are the same plate.
 */
const CYRILLIC_LOOKALIKES: Readonly<Record<string, string>> = {
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
  Х: 'X',
  І: 'I',
};
const CYRILLIC_LOOKALIKE_PATTERN = new RegExp(`[${Object.keys(CYRILLIC_LOOKALIKES).join('')}]`, 'gu');

/** Everything that is not a letter or a digit: spaces of any kind, dashes, dots, slashes, combining marks. */
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]/gu;
/** Phone separators: spaces, dashes of any kind, parentheses, dots, slashes. */
const PHONE_SEPARATORS = /[\s\p{Pd}().\\/]/gu;

/**
 * Applies `step` until the value stops changing. Unicode normalisation and separator removal interact
 * (removing a space can bring a letter and a combining mark together, which NFKC then composes), so a single
 * pass is not always a fixed point; a few passes always are for real input, and idempotence is what matching needs.
 */
function untilStable(value: string, step: (value: string) => string): string {
  let current = value;
  for (let pass = 0; pass < 6; pass++) {
    const next = step(current);
    if (next === current) return next;
    current = next;
  }
  return current;
}

/** Upper case, compatibility forms folded (full-width digits, ligatures), Cyrillic look-alikes to Latin, only letters and digits. */
export function canonicalToken(value: string): string {
  return untilStable(value, (text) =>
    text
      .normalize('NFKC')
      .toUpperCase()
      .normalize('NFKC')
      .replace(CYRILLIC_LOOKALIKE_PATTERN, (letter) => CYRILLIC_LOOKALIKES[letter])
      .replace(NOT_LETTER_OR_DIGIT, ''),
  );
}

/** ISO 3166-1 alpha-2 as written in a key ("kg " → "KG"). */
export function normaliseCountry(country: string): string {
  return canonicalToken(country);
}

/** ISO 6346: "csqu 305438-3" → "CSQU3054383". */
export function normaliseContainerNumber(number: string): string {
  return canonicalToken(number);
}

/** Plate characters without spaces, dashes or dots, upper case: "01 kg-123.abc" → "01KG123ABC". */
export function normalisePlate(plate: string): string {
  return canonicalToken(plate);
}

export function normaliseVin(vin: string): string {
  return canonicalToken(vin);
}

/** Document numbers as printed in the machine-readable zone: "ab 12-34.567" → "AB1234567". */
export function normaliseDocumentNumber(number: string): string {
  return canonicalToken(number);
}

/** "IMO 9074729", "imo9074729", "9074729" → "IMO9074729". */
export function normaliseImo(imo: string): string {
  const token = canonicalToken(imo);
  return /^\d{7}$/.test(token) ? `IMO${token}` : token;
}

/**
 * E.164 without separators: "+992 (37) 221-23-45" → "+992372212345". The international prefix "00" is the
 * same as "+" when dialled from the region, so "00992…" matches "+992…".
 */
export function normalisePhone(number: string): string {
  return untilStable(number, (text) => {
    const compact = text.normalize('NFKC').replace(PHONE_SEPARATORS, '');
    return compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
  });
}

/** Vehicle plates are national: the same characters in two countries are two vehicles. */
export function plateKey(plate: string, registrationCountry: string): string | null {
  const number = normalisePlate(plate);
  const country = normaliseCountry(registrationCountry);
  return number && country ? `${country}:${number}` : null;
}

/** Document numbers are unique per issuing state only. */
export function documentKey(documentNumber: string, documentCountry: string): string | null {
  const number = normaliseDocumentNumber(documentNumber);
  const country = normaliseCountry(documentCountry);
  return number && country ? `${country}:${number}` : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/**
 * The match keys of an alert's subjects, once each, in a stable order. Reads the subjects defensively (a
 * malformed entry is skipped, never thrown on) because matching must not block routing.
 * A person's document needs an issuing state to be matched: the document country, else the nationality
 * (passports are issued by the state of nationality); a bare number is too weak to tell agencies "match".
 */
export function identifiersOf(subjects: unknown): Identifier[] {
  if (!Array.isArray(subjects)) return [];
  const found = new Map<string, Identifier>();
  const add = (kind: IdentifierKind, key: string | null) => {
    if (key) found.set(`${kind}\n${key}`, { kind, key });
  };
  for (const subject of subjects) {
    if (typeof subject !== 'object' || subject === null) continue;
    const s = subject as Record<string, unknown>;
    switch (s.type) {
      case 'container': {
        const number = text(s.number);
        if (number) add('container', normaliseContainerNumber(number) || null);
        break;
      }
      case 'vehicle': {
        const plate = text(s.plate);
        const country = text(s.registrationCountry);
        if (plate && country) add('vehicle-plate', plateKey(plate, country));
        const vin = text(s.vin);
        if (vin) add('vehicle-vin', normaliseVin(vin) || null);
        break;
      }
      case 'person': {
        const number = text(s.documentNumber);
        const country = text(s.documentCountry) ?? text(s.nationality);
        if (number && country) add('person-document', documentKey(number, country));
        // Across alphabets: the name after transliteration, with the date of birth (person-names.ts).
        const fullName = text(s.fullName);
        if (fullName) add('person-name', personKey(fullName, text(s.dateOfBirth)));
        break;
      }
      case 'phone': {
        const number = text(s.number);
        if (number) add('phone', normalisePhone(number) || null);
        break;
      }
      case 'vessel': {
        const imo = text(s.imo);
        if (imo) add('vessel-imo', normaliseImo(imo) || null);
        break;
      }
      default:
        break;
    }
  }
  return [...found.values()].sort((a, b) => (a.kind === b.kind ? compare(a.key, b.key) : compare(a.kind, b.kind)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
