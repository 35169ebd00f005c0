import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate, ValidationError, ValidatorOptions } from 'class-validator';
import { HUB_STAMPED_FIELDS } from './enums';
import { FieldError } from './field-error';
import { isListProblemsExplainer, LIST_CONSTRAINT, LIST_PROBLEMS_CONTEXT_KEY } from './field-decorators';

/**
 * How every boundary validates contract classes: HTTP bodies and Kafka payloads alike. Unknown fields are
 * errors, never silently dropped. `value: true` is needed to name failing list entries.
 */
export const CONTRACT_VALIDATOR_OPTIONS: Readonly<ValidatorOptions> = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: true },
};

const HUB_STAMPED: ReadonlySet<string> = new Set(HUB_STAMPED_FIELDS);
/** Keys class-transformer skips without a word; accepting them silently would hide a tampering attempt. */
const SKIPPED_BY_TRANSFORMER: ReadonlySet<string> = new Set(['__proto__', 'constructor']);

function childPath(parentPath: string, property: string, parentIsArray: boolean): string {
  if (parentIsArray) return `${parentPath}[${property}]`;
  return parentPath === '' ? property : `${parentPath}.${property}`;
}

function unacceptedFieldMessage(path: string): string {
  return HUB_STAMPED.has(path) ? 'is stamped by the hub and must not be sent' : 'is not an accepted field';
}

function constraintErrors(error: ValidationError, path: string): FieldError[] {
  const constraints = error.constraints ?? {};
  const names = Object.keys(constraints);
  if (names.length === 0) return [];
  // Optional fields skip validation when absent, so a failing constraint on an absent value means "missing".
  // `value` is an own property only when the validator was asked to report values.
  const valueReported = Object.prototype.hasOwnProperty.call(error, 'value');
  if (valueReported && error.value === undefined && !('whitelistValidation' in constraints)) {
    return [{ path, message: 'is required' }];
  }
  // "nested property x must be either object or array" restates what a sibling constraint already said.
  const structural = new Set(['nestedValidation', 'unknownValue']);
  const meaningful = names.some((name) => !structural.has(name));
  const errors: FieldError[] = [];
  for (const name of names) {
    if (structural.has(name)) {
      if (!meaningful) errors.push({ path, message: 'must be an object' });
      continue;
    }
    if (name === 'whitelistValidation') {
      errors.push({ path, message: unacceptedFieldMessage(path) });
      continue;
    }
    const explain: unknown = error.contexts?.[name]?.[LIST_PROBLEMS_CONTEXT_KEY];
    if (name === LIST_CONSTRAINT && valueReported && isListProblemsExplainer(explain)) {
      const problems = explain(error.value);
      if (problems.list) errors.push({ path, message: problems.list });
      for (const item of problems.items) errors.push({ path: `${path}[${item.index}]`, message: item.message });
      continue;
    }
    errors.push({ path, message: constraints[name] });
  }
  return errors;
}

/**
 * class-validator's error tree as a flat list with paths such as `subjects[2].number`,
 * `distribution.recipients[0]`, `evaluation.source`. Usable as a ValidationPipe exceptionFactory body.
 */
export function flattenValidationErrors(
  errors: readonly ValidationError[],
  parentPath = '',
  parentIsArray = false,
): FieldError[] {
  const flat: FieldError[] = [];
  for (const error of errors) {
    const path = childPath(parentPath, error.property, parentIsArray);
    flat.push(...constraintErrors(error, path));
    if (error.children && error.children.length > 0) {
      const valueIsArray = Array.isArray(error.value) || error.children.every((child) => /^\d+$/.test(child.property));
      flat.push(...flattenValidationErrors(error.children, path, valueIsArray));
    }
  }
  return flat;
}

/**
 * Paths of own keys that class-transformer would drop without telling anyone (or, for `constructor` where no class
 * is expected, throw on). Iterative: input depth is untrusted. The compiled validators of Kafka messages refuse
 * them too.
 */
export function skippedKeyPaths(plain: object): string[] {
  const found: string[] = [];
  const pending: Array<{ value: unknown; path: string }> = [{ value: plain, path: '' }];
  while (pending.length > 0) {
    const { value, path } = pending.pop() as { value: unknown; path: string };
    if (Array.isArray(value)) {
      value.forEach((entry: unknown, index) => pending.push({ value: entry, path: `${path}[${index}]` }));
    } else if (typeof value === 'object' && value !== null) {
      for (const key of Object.keys(value)) {
        const keyPath = childPath(path, key, false);
        if (SKIPPED_BY_TRANSFORMER.has(key)) found.push(keyPath);
        else pending.push({ value: (value as Record<string, unknown>)[key], path: keyPath });
      }
    }
  }
  return found.sort();
}

/** Whether skippedKeyPaths would find anything, without building paths: the compiled validators' pre-check. */
export function hasSkippedKey(plain: object): boolean {
  const pending: unknown[] = [plain];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (const entry of value) pending.push(entry);
      continue;
    }
    for (const key of Object.keys(value)) {
      if (SKIPPED_BY_TRANSFORMER.has(key)) return true;
      pending.push((value as Record<string, unknown>)[key]);
    }
  }
  return false;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * plainToInstance + validate with the contract options, returning either the typed instance or every
 * problem with its path. Use this (not plainToInstance alone) for every Kafka payload and HTTP body.
 */
export async function parseContent<T extends object>(
  plain: unknown,
  cls: ClassConstructor<T>,
): Promise<ParseResult<T>> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    return { ok: false, errors: [{ path: '', message: 'must be a JSON object' }] };
  }
  const skipped = skippedKeyPaths(plain).map((path) => ({ path, message: 'is not an accepted field' }));
  let instance: T;
  try {
    instance = plainToInstance(cls, plain);
  } catch {
    // e.g. nesting deep enough to exhaust the stack; the document is unusable either way
    return { ok: false, errors: [...skipped, { path: '', message: 'could not be read as a document' }] };
  }
  const errors = [...skipped, ...flattenValidationErrors(await validate(instance, CONTRACT_VALIDATOR_OPTIONS))];
  return errors.length === 0 ? { ok: true, value: instance } : { ok: false, errors };
}

/** Every problem of a plain document against a contract class; empty when it is valid. */
export async function validateContent<T extends object>(
  plain: unknown,
  cls: ClassConstructor<T>,
): Promise<FieldError[]> {
  const result = await parseContent(plain, cls);
  return result.ok ? [] : result.errors;
}
