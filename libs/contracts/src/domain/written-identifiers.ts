import { isE164 } from './e164';
import { normaliseContainerNumber, normaliseImo, normalisePhone } from './identifiers';
import { containerNumberProblem, ContainerNumberProblem } from './iso6346';
import { imoNumberProblem, ImoNumberProblem } from './imo';

/**
 * Identifiers as officers write them ("CSQU 305438-3", "csqu3054383", "IMO 9074729", "+992 93 555-12-34"):
 * accepted when the correlation normaliser turns them into a valid canonical form, so that what the gateway
 * accepts and what correlation matches are one rule. The check digit is checked on the canonical form, so a
 * typo is still refused. See docs/decisions/013-match-notices-and-written-identifiers.md.
 */

/** Longer than any real spelling of these identifiers, short enough that nobody stores prose in one. */
export const WRITTEN_IDENTIFIER_MAX = 32;

/** One line of at most WRITTEN_IDENTIFIER_MAX characters: the normaliser would drop a line break, the stored text would not. */
function writtenTextProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0 || [...value].length > WRITTEN_IDENTIFIER_MAX)
    return `must be 1 to ${WRITTEN_IDENTIFIER_MAX} characters long`;
  if (/[\p{Cc}\u2028\u2029]/u.test(value)) return 'must be a single line without control characters';
  return null;
}

export type WrittenIdentifierProblem = { kind: 'text'; message: string } | ContainerNumberProblem | ImoNumberProblem;

export function writtenContainerNumberProblem(value: unknown): WrittenIdentifierProblem | null {
  const text = writtenTextProblem(value);
  if (text) return { kind: 'text', message: text };
  return containerNumberProblem(normaliseContainerNumber(value as string));
}

export function writtenImoNumberProblem(value: unknown): WrittenIdentifierProblem | null {
  const text = writtenTextProblem(value);
  if (text) return { kind: 'text', message: text };
  return imoNumberProblem(normaliseImo(value as string));
}

export function writtenPhoneNumberProblem(value: unknown): string | null {
  const text = writtenTextProblem(value);
  if (text) return text;
  return isE164(normalisePhone(value as string))
    ? null
    : 'must be an E.164 phone number: + and 8 to 15 digits; spaces, dashes and parentheses are fine (e.g. +992 93 555-12-34)';
}
