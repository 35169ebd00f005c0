import type Ajv from 'ajv';
import type { DataValidateFunction, ErrorObject } from 'ajv/dist/types';
import { isISO8601, isUUID, length, matches } from 'class-validator';
import { AGENCY_ID_ITEM, ALERT_ID_ITEM, ROOM_ID_ITEM, SHARING_GROUP_ID_ITEM } from './alert/alert-content';
import { listProblems, ListRule, numberProblem, NumberRule, textProblem, TextRule } from './alert/field-decorators';
import { IDENTIFIER_PATTERN, VIN_PATTERN } from './alert/subjects';
import {
  ISO_CALENDAR_DATE_MESSAGE,
  ISO_COUNTRY_MESSAGE,
  ISO_INSTANT_MESSAGE,
  WRITTEN_CONTAINER_NUMBER_MESSAGE,
  WRITTEN_IMO_NUMBER_MESSAGE,
} from './domain/decorators';
import {
  normaliseContainerNumber,
  normaliseDocumentNumber,
  normaliseImo,
  normalisePhone,
  normalisePlate,
} from './domain/identifiers';
import { isIsoCalendarDate, isIsoInstant } from './domain/instant';
import { isIsoCountry } from './domain/iso-country';
import {
  writtenContainerNumberProblem,
  writtenImoNumberProblem,
  WrittenIdentifierProblem,
  writtenPhoneNumberProblem,
} from './domain/written-identifiers';
import { AGENCY_ID_PATTERN, COUNTRY_CODE_PATTERN, SECRET_HASH_PATTERN } from './reference';
import { DETACHED_COMPACT_JWS } from './signing/alert-signature';

/**
 * The JSON Schema keywords our compiled schemas (*.schema.ts) add to standard JSON Schema. Each one calls the very
 * function the contract class's decorator calls (class-validator's own isUUID, isISO8601, length and matches; the
 * domain functions of ./domain; textProblem, numberProblem and listProblems of the alert fields), never a copy
 * of its logic, so a leaf check cannot drift from the class. Keyword values are JSON: patterns and rules are named.
 *
 * Every keyword applies to one JSON type only (a schema states `type` beside it), so `type: ['string', 'null']`
 * expresses class-validator's @IsOptional (null skips the checks) and `type: 'string'` its OptionalField (null fails).
 */

/** What is wrong with a string, or null. */
type StringProblem = (value: string) => string | null;

function writtenMessage(problem: WrittenIdentifierProblem | null, what: string, format: string): string | null {
  if (problem === null) return null;
  if (problem.kind === 'text') return problem.message;
  return problem.kind === 'check-digit' ? `${what} check digit is wrong (expected ${problem.expected})` : format;
}

/** `check: <name>`: the predicates of single-value decorators, by name. Messages are the classes' own. */
export const STRING_CHECKS = {
  /** @IsUUID() */
  uuid: (value) => (isUUID(value) ? null : 'must be a UUID'),
  /** @IsISO8601({ strict: true }) */
  iso8601: (value) => (isISO8601(value, { strict: true }) ? null : 'must be a valid ISO 8601 date string'),
  /** @IsIsoInstant() */
  isoInstant: (value) => (isIsoInstant(value) ? null : ISO_INSTANT_MESSAGE),
  /** @IsIsoCalendarDate() */
  isoCalendarDate: (value) => (isIsoCalendarDate(value) ? null : ISO_CALENDAR_DATE_MESSAGE),
  /** @IsIsoCountry() */
  isoCountry: (value) => (isIsoCountry(value) ? null : ISO_COUNTRY_MESSAGE),
  /** @IsContainerNumberAsWritten() */
  containerNumberAsWritten: (value) =>
    writtenMessage(writtenContainerNumberProblem(value), 'container number', WRITTEN_CONTAINER_NUMBER_MESSAGE),
  /** @IsImoNumberAsWritten() */
  imoNumberAsWritten: (value) =>
    writtenMessage(writtenImoNumberProblem(value), 'IMO number', WRITTEN_IMO_NUMBER_MESSAGE),
  /** @IsPhoneNumberAsWritten() */
  phoneNumberAsWritten: (value) => writtenPhoneNumberProblem(value),
} satisfies Record<string, StringProblem>;
export type StringCheckName = keyof typeof STRING_CHECKS;

/** `matches: <name>`: the regular expressions of @Matches, by name. */
export const MATCH_PATTERNS = {
  agencyId: AGENCY_ID_PATTERN,
  countryCode: COUNTRY_CODE_PATTERN,
  secretHash: SECRET_HASH_PATTERN,
  detachedJws: DETACHED_COMPACT_JWS,
} satisfies Record<string, RegExp>;
export type MatchPatternName = keyof typeof MATCH_PATTERNS;

/** `text.pattern: <name>`: the patterns of TextField rules, by name. */
export const TEXT_PATTERNS = { identifier: IDENTIFIER_PATTERN, vin: VIN_PATTERN } satisfies Record<
  string,
  TextRule['pattern']
>;
export type TextPatternName = keyof typeof TEXT_PATTERNS;

/** `list.item: <name>`: the entry predicates of ListField rules, by name. */
export const LIST_ITEMS = {
  agencyId: AGENCY_ID_ITEM,
  sharingGroupId: SHARING_GROUP_ID_ITEM,
  alertId: ALERT_ID_ITEM,
  roomId: ROOM_ID_ITEM,
} satisfies Record<string, NonNullable<ListRule['item']>>;
export type ListItemName = keyof typeof LIST_ITEMS;

/** `canonicalOf.normalise: <name>`: the normalisers of the hub-stamped `canonical` subject field, by name. */
export const NORMALISERS = {
  documentNumber: normaliseDocumentNumber,
  plate: normalisePlate,
  containerNumber: normaliseContainerNumber,
  imo: normaliseImo,
  phone: normalisePhone,
} satisfies Record<string, (text: string) => string>;
export type NormaliserName = keyof typeof NORMALISERS;

export type TextKeyword = Omit<TextRule, 'pattern'> & { pattern?: TextPatternName };
export type ListKeyword = Omit<ListRule, 'item'> & { item?: ListItemName };
export interface CanonicalOfKeyword {
  written: string;
  normalise: NormaliserName;
}

/** Where in the value a keyword's error is, below the keyword's own path (`[3]`, `.canonical`), for the error text. */
export interface SubPathParams {
  subPath?: string;
}

type KeywordFunction = DataValidateFunction & { errors?: Partial<ErrorObject>[] };

/** A keyword validate function that reports `problem`'s message, at `subPath` below the value. */
function reporting<T>(
  keyword: string,
  problem: (value: T) => { message: string; subPath?: string } | null,
): DataValidateFunction {
  const validate: KeywordFunction = (data: T) => {
    const found = problem(data);
    if (found === null) return true;
    validate.errors = [
      { keyword, message: found.message, params: found.subPath === undefined ? {} : { subPath: found.subPath } },
    ];
    return false;
  };
  return validate;
}

function messageOnly(message: string | null): { message: string } | null {
  return message === null ? null : { message };
}

export function addContractKeywords(ajv: Ajv): Ajv {
  ajv.addKeyword({
    keyword: 'check',
    type: 'string',
    schemaType: 'string',
    errors: true,
    compile: (name: StringCheckName) => {
      const check: StringProblem = STRING_CHECKS[name];
      if (!check) throw new Error(`unknown check ${name}`);
      return reporting('check', (value: string) => messageOnly(check(value)));
    },
  });
  ajv.addKeyword({
    keyword: 'cvLength',
    type: 'string',
    schemaType: 'array',
    errors: true,
    compile: ([min, max]: [number, number]) =>
      reporting('cvLength', (value: string) =>
        length(value, min, max) ? null : { message: `must be ${min} to ${max} characters long` },
      ),
  });
  ajv.addKeyword({
    keyword: 'matches',
    type: 'string',
    schemaType: 'string',
    errors: true,
    compile: (name: MatchPatternName) => {
      const pattern = MATCH_PATTERNS[name];
      if (!pattern) throw new Error(`unknown pattern ${name}`);
      return reporting('matches', (value: string) =>
        matches(value, pattern) ? null : { message: `must match ${pattern.source}` },
      );
    },
  });
  ajv.addKeyword({
    keyword: 'text',
    type: 'string',
    schemaType: 'object',
    errors: true,
    compile: ({ pattern, ...rest }: TextKeyword) => {
      const rule: TextRule = { ...rest, ...(pattern === undefined ? {} : { pattern: TEXT_PATTERNS[pattern] }) };
      if (pattern !== undefined && !rule.pattern) throw new Error(`unknown text pattern ${pattern}`);
      return reporting('text', (value: string) => messageOnly(textProblem(value, rule)));
    },
  });
  ajv.addKeyword({
    keyword: 'number',
    type: 'number',
    schemaType: 'object',
    errors: true,
    compile: (rule: NumberRule) => reporting('number', (value: number) => messageOnly(numberProblem(value, rule))),
  });
  ajv.addKeyword({
    keyword: 'list',
    type: 'array',
    schemaType: 'object',
    errors: true,
    compile: ({ item, ...rest }: ListKeyword) => {
      const rule: ListRule = { ...rest, ...(item === undefined ? {} : { item: LIST_ITEMS[item] }) };
      if (item !== undefined && !rule.item) throw new Error(`unknown list item ${item}`);
      return reporting('list', (value: unknown[]) => {
        const problems = listProblems(value, rule);
        if (problems.list) return { message: problems.list };
        const [first] = problems.items;
        return first === undefined ? null : { message: first.message, subPath: `[${first.index}]` };
      });
    },
  });
  // The hub-stamped `canonical` of a subject: absent, or exactly the normalisation of the identifier as written.
  ajv.addKeyword({
    keyword: 'canonicalOf',
    type: 'object',
    schemaType: 'object',
    errors: true,
    compile: ({ written, normalise }: CanonicalOfKeyword) => {
      const normaliser = NORMALISERS[normalise];
      if (!normaliser) throw new Error(`unknown normaliser ${normalise}`);
      return reporting('canonicalOf', (subject: Record<string, unknown>) => {
        const value = subject.canonical;
        if (value === undefined) return null;
        const text = subject[written];
        return typeof text === 'string' && value === normaliser(text)
          ? null
          : { message: 'must be the canonical form of the identifier, as the hub stamps it', subPath: '.canonical' };
      });
    },
  });
  return ajv;
}
