/** Pasted lines as the identifiers POST /v1/hits takes (no DOM: unit-tested in hit-lines.spec.ts). */

/** One identifier as POST /v1/hits takes it. */
export type HitIdentifier =
  | { type: 'container'; number: string }
  | { type: 'vehicle'; plate: string; registrationCountry: string }
  | { type: 'vessel'; imo: string }
  | { type: 'phone'; number: string }
  | { type: 'person'; fullName: string; dateOfBirth: string };

/** The first word of a line names its type, in English or Russian. */
const TYPE_WORDS: Readonly<Record<string, HitIdentifier['type']>> = {
  container: 'container',
  контейнер: 'container',
  vehicle: 'vehicle',
  транспорт: 'vehicle',
  vessel: 'vessel',
  судно: 'vessel',
  phone: 'phone',
  телефон: 'phone',
  person: 'person',
  лицо: 'person',
};

/**
 * One pasted line as an identifier: "container CSQU 305438-3", "vehicle KG 01 KG 123 ABC", "vessel IMO 9074729",
 * "phone +992 93 555-12-34", "person 1987-04-12 Рахимов Фаррух". Without a type word: a phone when it starts with + or
 * 00, a vessel with IMO, else a container. Null when the line cannot be one (a vehicle without a country, a person
 * without a date of birth); the API checks the rest.
 */
export function parseIdentifierLine(line: string): HitIdentifier | null {
  const text = line.trim();
  if (!text) return null;
  const [first, ...rest] = text.split(/\s+/);
  const type = TYPE_WORDS[first.toLowerCase()];
  const value = rest.join(' ');
  if (!type) {
    if (/^(\+|00)/.test(text)) return { type: 'phone', number: text };
    if (/^imo/i.test(text)) return { type: 'vessel', imo: text };
    return { type: 'container', number: text };
  }
  switch (type) {
    case 'container':
      return value ? { type, number: value } : null;
    case 'phone':
      return value ? { type, number: value } : null;
    case 'vessel':
      return value ? { type, imo: value } : null;
    case 'vehicle':
      return rest.length >= 2
        ? { type, registrationCountry: rest[0].toUpperCase(), plate: rest.slice(1).join(' ') }
        : null;
    case 'person':
      return rest.length >= 2 && /^\d{4}-\d{2}-\d{2}$/.test(rest[0])
        ? { type, dateOfBirth: rest[0], fullName: rest.slice(1).join(' ') }
        : null;
  }
}
