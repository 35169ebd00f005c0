import Ajv, { ErrorObject, SchemaObject, ValidateFunction } from 'ajv';
import { AuditEvent } from './audit-event';
import { AUDIT_EVENT_SCHEMA } from './audit-event.schema';
import { FieldError } from './alert/field-error';
import { hasSkippedKey, skippedKeyPaths } from './alert/validate';
import {
  AlertDeliveredMessage,
  AlertErasedMessage,
  AlertRoutedMessage,
  AlertSubmittedMessage,
  MatchNoticeMessage,
} from './messages';
import {
  ALERT_DELIVERED_SCHEMA,
  ALERT_ERASED_SCHEMA,
  ALERT_ROUTED_SCHEMA,
  ALERT_SUBMITTED_SCHEMA,
  MATCH_NOTICE_SCHEMA,
} from './messages.schema';
import { AgencyRecord, CredentialRecord, RoomRecord, SharingGroupRecord } from './reference';
import {
  AGENCY_RECORD_SCHEMA,
  CREDENTIAL_RECORD_SCHEMA,
  ROOM_RECORD_SCHEMA,
  SHARING_GROUP_RECORD_SCHEMA,
} from './reference.schema';
import { addContractKeywords, SubPathParams } from './schema-keywords';

/**
 * Compiled validators for the message classes consumed from Kafka (docs/decisions/009-hot-path.md, "compiled
 * validation on internal topics"). Each is ajv-compiled once, at module load, from the class's JSON Schema
 * (*.schema.ts next to the class) and decides exactly what class-transformer + class-validator decided with
 * `whitelist: true, forbidNonWhitelisted: false` (compiled-validation.property.spec.ts), at a fraction of the CPU.
 * Like the whitelist, unknown properties are removed (removeAdditional); like the classes' `= []` initialisers,
 * absent id lists become empty (useDefaults). The validated value is the parsed JSON itself, changed in place:
 * plain objects, no class instances (no handler of these messages uses a method, getter or instanceof).
 * class-validator stays at the HTTP edge, where its messages are the contract's error texts.
 */
const AJV_OPTIONS = {
  allErrors: false,
  removeAdditional: true,
  useDefaults: true,
  coerceTypes: false,
  discriminator: true,
  allowUnionTypes: true,
  strict: true,
} as const;
const ajv = addContractKeywords(new Ajv(AJV_OPTIONS));
/** Only to explain a refusal: every problem, not only the first (a dead letter names up to ten, as before). */
const explainingAjv = addContractKeywords(new Ajv({ ...AJV_OPTIONS, allErrors: true }));

export type CompiledParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** A message class's compiled validator. */
export interface CompiledValidator<T> {
  /** Validates `plain` (a parsed JSON value, which it changes in place: unknown properties removed, defaults set). */
  parse(plain: unknown): CompiledParseResult<T>;
}

/** Compiles a schema of the contract with the contract keywords (exported for the property spec's own variants). */
export function compileContractSchema<T>(schema: SchemaObject): CompiledValidator<T> {
  const validate: ValidateFunction = ajv.compile(schema);
  let explain: ValidateFunction | undefined;
  return {
    parse(plain: unknown): CompiledParseResult<T> {
      if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
        return { ok: false, errors: [{ path: '', message: 'must be a JSON object' }] };
      }
      // class-transformer skipped these keys, or threw on a `constructor` where it expected no class: refused, as at the HTTP edge
      if (hasSkippedKey(plain))
        return { ok: false, errors: [{ path: skippedKeyPaths(plain)[0], message: 'is not an accepted field' }] };
      if (validate(plain)) return { ok: true, value: plain as T };
      // The fast validator stops at the first problem; a refused message is rare, so it is examined again for all.
      explain ??= explainingAjv.compile(schema);
      const errors = explain(plain) ? validate.errors : explain.errors;
      return { ok: false, errors: (errors ?? []).map(fieldErrorOf) };
    },
  };
}

type MessageClass = abstract new () => object;

const COMPILED: ReadonlyMap<MessageClass, CompiledValidator<object>> = new Map<MessageClass, CompiledValidator<object>>(
  [
    [AlertSubmittedMessage, compileContractSchema(ALERT_SUBMITTED_SCHEMA)],
    [AlertDeliveredMessage, compileContractSchema(ALERT_DELIVERED_SCHEMA)],
    [AlertRoutedMessage, compileContractSchema(ALERT_ROUTED_SCHEMA)],
    [MatchNoticeMessage, compileContractSchema(MATCH_NOTICE_SCHEMA)],
    [AlertErasedMessage, compileContractSchema(ALERT_ERASED_SCHEMA)],
    [AuditEvent, compileContractSchema(AUDIT_EVENT_SCHEMA)],
    [AgencyRecord, compileContractSchema(AGENCY_RECORD_SCHEMA)],
    [CredentialRecord, compileContractSchema(CREDENTIAL_RECORD_SCHEMA)],
    [SharingGroupRecord, compileContractSchema(SHARING_GROUP_RECORD_SCHEMA)],
    [RoomRecord, compileContractSchema(ROOM_RECORD_SCHEMA)],
  ],
);

/** Every message class with a compiled validator. */
export const COMPILED_MESSAGE_CLASSES: readonly MessageClass[] = [...COMPILED.keys()];

/** The compiled validator of a message class, or undefined when it has none (the caller then uses the class). */
export function compiledValidatorFor<T extends object>(messageClass: new () => T): CompiledValidator<T> | undefined {
  return COMPILED.get(messageClass) as CompiledValidator<T> | undefined;
}

/** `/alert/subjects/2/number` → `alert.subjects[2].number`, the path style of flattenValidationErrors. */
export function fieldPathOf(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(segment) ? `[${segment}]` : path === '' ? segment : `.${segment}`;
  }
  return path;
}

function joinPath(path: string, below: string): string {
  if (below.startsWith('[')) return `${path}${below}`;
  const name = below.startsWith('.') ? below.slice(1) : below;
  return path === '' ? name : `${path}.${name}`;
}

const TYPE_NAMES: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  null: 'null',
};

function fieldErrorOf(error: ErrorObject): FieldError {
  const path = fieldPathOf(error.instancePath);
  const params = error.params as Record<string, unknown> & SubPathParams;
  switch (error.keyword) {
    case 'required':
    case 'dependencies':
      return { path: joinPath(path, String(params.missingProperty)), message: 'is required' };
    case 'type': {
      const types = String(params.type)
        .split(',')
        .filter((type) => type !== 'null');
      return { path, message: `must be ${types.map((type) => TYPE_NAMES[type] ?? type).join(' or ')}` };
    }
    case 'enum':
      return {
        path,
        message: `must be one of: ${(params.allowedValues as unknown[]).filter((value) => value !== null).join(', ')}`,
      };
    case 'discriminator':
      return { path: joinPath(path, String(params.tag)), message: 'must name a known type' };
    default:
      return {
        path: params.subPath === undefined ? path : joinPath(path, params.subPath),
        message: error.message ?? 'is invalid',
      };
  }
}
