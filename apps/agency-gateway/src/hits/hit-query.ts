import { FieldError } from '@hub/contracts/alert/field-error';
import { Identifier, identifiersOf } from '@hub/contracts/domain/identifiers';
import { isIsoCalendarDate } from '@hub/contracts/domain/instant';
import { isIsoCountry } from '@hub/contracts/domain/iso-country';
import {
  WrittenIdentifierProblem,
  writtenContainerNumberProblem,
  writtenImoNumberProblem,
  writtenPhoneNumberProblem,
} from '@hub/contracts/domain/written-identifiers';

/** Identifiers one POST /v1/hits may ask about. */
export const MAX_HIT_IDENTIFIERS = 10_000;
/** Its body limit: 10,000 identifiers as officers write them, persons with long names included. */
export const MAX_HIT_BODY_BYTES = 4 * 1024 * 1024;
/** Problems listed in one 400 (a list of 10,000 bad lines would be a 10,000-line answer). */
const MAX_PROBLEMS = 50;
const NAME_MAX = 200;

/** The fields each identifier type takes (as in alert subjects; persons by name and date of birth). */
const FIELDS: Readonly<Record<string, { required: readonly string[]; optional?: readonly string[] }>> = {
  container: { required: ['number'] },
  vehicle: { required: ['plate', 'registrationCountry'] },
  vessel: { required: ['imo'] },
  phone: { required: ['number'] },
  person: { required: ['fullName', 'dateOfBirth'] },
};

/** The match keys of each identifier asked, in request order (an identifier may have none: it can then not hit). */
export type HitQuery = Identifier[][];

function checkDigitText(problem: WrittenIdentifierProblem, what: string): string {
  if (problem.kind === 'text') return problem.message;
  if (problem.kind === 'check-digit') return `${what} check digit is wrong (expected ${problem.expected})`;
  return `is not a valid ${what}`;
}

function fieldProblems(type: string, item: Record<string, unknown>): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const spec = FIELDS[type];
  for (const key of Object.keys(item)) {
    if (key !== 'type' && !spec.required.includes(key) && !spec.optional?.includes(key))
      problems.push({ field: key, message: `property ${key} should not exist` });
  }
  for (const key of spec.required) {
    const value = item[key];
    if (typeof value !== 'string' || value.trim() === '')
      problems.push({ field: key, message: 'must be a non-empty string' });
  }
  if (problems.length > 0) return problems;
  const add = (field: string, message: string | null) => message && problems.push({ field, message });
  switch (type) {
    case 'container': {
      const problem = writtenContainerNumberProblem(item.number);
      add('number', problem && checkDigitText(problem, 'container number'));
      break;
    }
    case 'vessel': {
      const problem = writtenImoNumberProblem(item.imo);
      add('imo', problem && checkDigitText(problem, 'IMO number'));
      break;
    }
    case 'phone':
      add('number', writtenPhoneNumberProblem(item.number));
      break;
    case 'vehicle':
      add('plate', (item.plate as string).length > 32 ? 'must be 1 to 32 characters long' : null);
      add(
        'registrationCountry',
        isIsoCountry((item.registrationCountry as string).toUpperCase()) ? null : 'must be an ISO 3166-1 alpha-2 code',
      );
      break;
    case 'person':
      add(
        'fullName',
        [...(item.fullName as string)].length > NAME_MAX ? `must be at most ${NAME_MAX} characters` : null,
      );
      add('dateOfBirth', isIsoCalendarDate(item.dateOfBirth) ? null : 'must be a calendar date (YYYY-MM-DD)');
      break;
  }
  return problems;
}

/**
 * The body of POST /v1/hits: `{identifiers: [{type, …}]}`, each identifier as an alert subject would carry it (written
 * as officers write them; a wrong check digit is still refused), persons by fullName and dateOfBirth. Problems name
 * `identifiers[i].field`; at most MAX_PROBLEMS are listed.
 */
export function parseHitQuery(body: unknown): { ok: true; query: HitQuery } | { ok: false; problems: FieldError[] } {
  const problems: FieldError[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, problems: [{ path: 'body', message: 'must be a JSON object {"identifiers": [...]}' }] };
  for (const key of Object.keys(body)) {
    if (key !== 'identifiers') problems.push({ path: key, message: `property ${key} should not exist` });
  }
  const list = (body as { identifiers?: unknown }).identifiers;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_HIT_IDENTIFIERS) {
    problems.push({ path: 'identifiers', message: `must be a list of 1 to ${MAX_HIT_IDENTIFIERS} identifiers` });
    return { ok: false, problems };
  }
  const query: HitQuery = [];
  let count = problems.length;
  list.forEach((entry: unknown, index) => {
    const at = `identifiers[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      if (count++ < MAX_PROBLEMS) problems.push({ path: at, message: 'must be an object with a type' });
      return;
    }
    const item = entry as Record<string, unknown>;
    const type = item.type;
    if (typeof type !== 'string' || !(type in FIELDS)) {
      if (count++ < MAX_PROBLEMS)
        problems.push({ path: `${at}.type`, message: `must be one of ${Object.keys(FIELDS).join(', ')}` });
      return;
    }
    const found = fieldProblems(type, item);
    for (const problem of found) {
      if (count++ < MAX_PROBLEMS) problems.push({ path: `${at}.${problem.field}`, message: problem.message });
    }
    if (found.length === 0) query.push(identifiersOf([item]));
  });
  if (count > MAX_PROBLEMS)
    problems.push({ path: 'identifiers', message: `${count} problems, the first ${MAX_PROBLEMS} listed` });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, query };
}
