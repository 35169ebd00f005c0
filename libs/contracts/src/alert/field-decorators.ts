import { ApiProperty, ApiPropertyOptional, ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, ValidateIf, ValidateNested } from 'class-validator';
import { ValidateWith } from '../domain/decorators';

/**
 * Field decorators of the alert contract: each applies the validation, and the OpenAPI description
 * generated from the same numbers, so that the documented limits are the enforced ones.
 */

function compose(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, propertyKey) => {
    for (const decorator of decorators) decorator(target, propertyKey);
  };
}

function apiProperty(optional: boolean, options: ApiPropertyOptions): PropertyDecorator {
  return optional ? ApiPropertyOptional(options) : ApiProperty(options);
}

/**
 * Optional means absent, not null: `null` is validated like any other value and fails, so that the
 * typed contract (`place?: string`) is what consumers actually receive.
 */
export function OptionalField(): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined);
}

interface FieldDocs {
  description?: string;
  example?: unknown;
}

// Single-line text: no control characters at all (they break logs, CSV exports and UIs), no line separators.
const SINGLE_LINE_FORBIDDEN = /[\p{Cc}\u2028\u2029]/u;
// Multi-line text keeps tab, LF and CR.
const MULTI_LINE_FORBIDDEN = /(?![\t\n\r])\p{Cc}/u;

export interface TextRule {
  min?: number;
  max: number;
  multiline?: boolean;
  pattern?: { regex: RegExp; message: string };
}

/** What is wrong with a value as text under the rule, or null. Length counts code points, not UTF-16 units. */
export function textProblem(value: unknown, rule: TextRule): string | null {
  const min = rule.min ?? 1;
  if (typeof value !== 'string') return 'must be a string';
  const length = [...value].length;
  if (length < min || length > rule.max) {
    return min === 0 ? `must be at most ${rule.max} characters long` : `must be ${min} to ${rule.max} characters long`;
  }
  if (min > 0 && !/\S/u.test(value)) return 'must not be blank';
  if (rule.multiline ? MULTI_LINE_FORBIDDEN.test(value) : SINGLE_LINE_FORBIDDEN.test(value)) {
    return rule.multiline
      ? 'must not contain control characters other than tab and line breaks'
      : 'must be a single line without control characters';
  }
  if (rule.pattern && !rule.pattern.regex.test(value)) return rule.pattern.message;
  return null;
}

export function TextField(rule: TextRule & FieldDocs & { optional?: boolean }): PropertyDecorator {
  const optional = rule.optional ?? false;
  return compose(
    ...(optional ? [OptionalField()] : []),
    ValidateWith('isText', (value) => textProblem(value, rule)),
    apiProperty(optional, {
      type: String,
      minLength: rule.min ?? 1,
      maxLength: rule.max,
      ...(rule.pattern ? { pattern: rule.pattern.regex.source } : {}),
      description: rule.description,
      example: rule.example,
    }),
  );
}

export function EnumField<T extends string | number>(
  values: readonly T[],
  docs: FieldDocs & { optional?: boolean } = {},
): PropertyDecorator {
  const optional = docs.optional ?? false;
  return compose(
    ...(optional ? [OptionalField()] : []),
    IsIn(values as T[], { message: `must be one of: ${values.join(', ')}` }),
    apiProperty(optional, { enum: values as T[], description: docs.description, example: docs.example }),
  );
}

export interface NumberRule {
  min: number;
  max: number;
  /** The minimum itself is not allowed (a quantity of 0 kg is not a consignment). */
  exclusiveMin?: boolean;
  integer?: boolean;
}

export function numberProblem(value: unknown, rule: NumberRule): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value))
    return rule.integer ? 'must be an integer' : 'must be a number';
  if (rule.integer && !Number.isInteger(value)) return 'must be an integer';
  const belowMin = rule.exclusiveMin ? value <= rule.min : value < rule.min;
  if (belowMin || value > rule.max) {
    return rule.exclusiveMin
      ? `must be greater than ${rule.min} and at most ${rule.max}`
      : `must be between ${rule.min} and ${rule.max}`;
  }
  return null;
}

export function NumberField(
  rule: NumberRule & FieldDocs & { optional?: boolean; requiredWhen?: (object: object) => boolean },
): PropertyDecorator {
  const { requiredWhen } = rule;
  const optional = (rule.optional ?? false) || requiredWhen !== undefined;
  // requiredWhen turns an optional field into a required one depending on its siblings (lat needs lon).
  const presence = requiredWhen
    ? [ValidateIf((object: object, value: unknown) => value !== undefined || requiredWhen(object))]
    : optional
      ? [OptionalField()]
      : [];
  return compose(
    ...presence,
    ValidateWith(rule.integer ? 'isIntegerInRange' : 'isNumberInRange', (value) => numberProblem(value, rule)),
    apiProperty(optional, {
      type: rule.integer ? 'integer' : 'number',
      minimum: rule.min,
      exclusiveMinimum: rule.exclusiveMin ?? false,
      maximum: rule.max,
      description: rule.description,
      example: rule.example,
    }),
  );
}

/** A required nested object, validated by its own class. */
export function NestedField(type: () => new () => object, docs: FieldDocs = {}): PropertyDecorator {
  return compose(
    IsObject({ message: 'must be an object' }),
    ValidateNested(),
    Type(type),
    // @nestjs/swagger recognises a lazy type only by the function's name being `type`, hence the wrapper.
    ApiProperty({ type: () => type(), description: docs.description }),
  );
}

export interface ItemProblem {
  index: number;
  message: string;
}

export interface ListRule {
  max: number;
  item?: { isValid: (item: unknown) => boolean; message: string };
  /** Later repetitions of an entry are errors: a duplicate recipient is a mistake, not a wish to be told twice. */
  unique?: boolean;
}

export interface ListProblems {
  /** The list as a whole is wrong (not a list, too long); entries were not examined. */
  list?: string;
  items: ItemProblem[];
}

export function listProblems(value: unknown, rule: ListRule): ListProblems {
  if (!Array.isArray(value)) return { list: 'must be an array', items: [] };
  if (value.length > rule.max) return { list: `must have at most ${rule.max} entries`, items: [] };
  const items: ItemProblem[] = [];
  const seen = new Set<unknown>();
  value.forEach((item: unknown, index) => {
    if (rule.item && !rule.item.isValid(item)) {
      items.push({ index, message: rule.item.message });
    } else if (rule.unique && seen.has(item)) {
      items.push({ index, message: 'is listed more than once' });
    }
    seen.add(item);
  });
  return { items };
}

/**
 * Key under which a list constraint leaves, in the class-validator error's `contexts`, the function that
 * names the failing entries. class-validator reports an `each` failure only against the whole array;
 * flattenValidationErrors uses this to report `distribution.recipients[3]` instead.
 */
export const LIST_PROBLEMS_CONTEXT_KEY = 'listProblems';
export const LIST_CONSTRAINT = 'isList';

export type ListProblemsExplainer = (value: unknown) => ListProblems;

export function isListProblemsExplainer(candidate: unknown): candidate is ListProblemsExplainer {
  return typeof candidate === 'function';
}

function summarise(problems: ListProblems): string | null {
  if (problems.list) return problems.list;
  if (problems.items.length === 0) return null;
  return problems.items.map((problem) => `[${problem.index}] ${problem.message}`).join('; ');
}

function ListConstraint(rule: ListRule): PropertyDecorator {
  const explain: ListProblemsExplainer = (value) => listProblems(value, rule);
  return ValidateWith(LIST_CONSTRAINT, (value) => summarise(explain(value)), {
    context: { [LIST_PROBLEMS_CONTEXT_KEY]: explain },
  });
}

/**
 * A list of plain values (ids), every entry checked and reported at its own index. `absentMeansEmpty`: the
 * property may be left out and then is an empty list — the class must initialise it to `[]` (plainToInstance
 * keeps the initialiser when the key is absent); `null` is still refused.
 */
export function ListField(
  rule: ListRule &
    FieldDocs & {
      itemPattern?: string;
      itemMaxLength?: number;
      itemFormat?: string;
      absentMeansEmpty?: boolean;
      /** may be left out, and then stays absent (not an empty list): for fields added later to a signed contract */
      absentMeansAbsent?: boolean;
    },
): PropertyDecorator {
  return compose(
    ...(rule.absentMeansAbsent ? [OptionalField()] : []),
    ListConstraint(rule),
    apiProperty((rule.absentMeansEmpty ?? false) || (rule.absentMeansAbsent ?? false), {
      ...(rule.absentMeansEmpty ? { default: [] } : {}),
      type: 'array',
      maxItems: rule.max,
      uniqueItems: rule.unique ?? false,
      items: {
        type: 'string',
        ...(rule.itemPattern ? { pattern: rule.itemPattern } : {}),
        ...(rule.itemMaxLength ? { maxLength: rule.itemMaxLength } : {}),
        ...(rule.itemFormat ? { format: rule.itemFormat } : {}),
      },
      description: rule.description,
      example: rule.example,
    }),
  );
}

/** A required list of nested objects; the caller adds how entries become class instances. */
export function NestedListField(rule: { max: number }): PropertyDecorator {
  return compose(ListConstraint({ max: rule.max }), ValidateNested());
}
