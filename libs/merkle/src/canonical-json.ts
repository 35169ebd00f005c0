import { MerkleError, MerkleErrorCode } from './merkle-error';

/**
 * Deterministic JSON for hashing: object keys sorted by UTF-16 code units at every depth, no whitespace,
 * arrays in order, numbers and strings exactly as JSON.stringify writes them — the RFC 8785 (JCS)
 * serialisation. Anything JSON.stringify would silently drop or reshape is rejected instead, so two
 * parties can never hash different bytes for what looks like the same entry: undefined, functions,
 * symbols, bigints, NaN/±Infinity, sparse arrays, cycles, and objects that are not plain data (Date,
 * Map, Buffer, anything with toJSON) — convert those explicitly (e.g. date.toISOString()).
 * Class instances count as plain data: they serialise by their own enumerable fields, like JSON.
 */
export function canonicalJson(value: unknown): string {
  if (isPlainDataInCanonicalOrder(value, 0)) return JSON.stringify(value);
  try {
    return serialise(value, []);
  } catch (error) {
    if (error instanceof NonCanonicalValue) {
      const where = error.path.length === 0 ? 'the value' : `$${error.path.join('')}`;
      throw new MerkleError(MerkleErrorCode.NonCanonicalValue, `${where}: ${error.reason}`);
    }
    throw error;
  }
}

class NonCanonicalValue {
  readonly path: string[] = [];
  constructor(readonly reason: string) {}
}

/** Deeper than any audit entry; past it the general path takes over and also detects cycles. */
const FAST_PATH_MAX_DEPTH = 32;

/**
 * The verifier pushes every audit entry through canonicalJson, and entries parsed from canonical JSON
 * already have their keys in canonical order. For those, native JSON.stringify writes exactly the
 * canonical bytes, several times faster than building the string here, once this walk has ruled out
 * everything JSON.stringify would drop, reshape or reorder. Anything else returns false and goes through
 * `serialise`, which sorts, and which rejects with a path.
 */
function isPlainDataInCanonicalOrder(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth >= FAST_PATH_MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i += 1) {
          if (!(i in value) || !isPlainDataInCanonicalOrder(value[i], depth + 1)) return false;
        }
        return true;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      for (let i = 0; i < keys.length; i += 1) {
        if (i > 0 && keys[i - 1] >= keys[i]) return false;
        if (!isPlainDataInCanonicalOrder(record[keys[i]], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function serialise(value: unknown, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new NonCanonicalValue(`${value} has no JSON representation`);
      // Number-to-string is what JSON.stringify uses for finite numbers (and -0 becomes "0" in both).
      return String(value);
    case 'object':
      if (value === null) return 'null';
      if (ancestors.includes(value)) throw new NonCanonicalValue('the value contains itself');
      return Array.isArray(value) ? serialiseArray(value, ancestors) : serialiseObject(value, ancestors);
    default:
      throw new NonCanonicalValue(`a ${typeof value} has no JSON representation`);
  }
}

function serialiseArray(array: readonly unknown[], ancestors: object[]): string {
  ancestors.push(array);
  let json = '[';
  let i = 0;
  try {
    for (; i < array.length; i += 1) {
      if (!(i in array)) throw new NonCanonicalValue('sparse arrays have no JSON representation');
      json += (i === 0 ? '' : ',') + serialise(array[i], ancestors);
    }
  } catch (error) {
    throw withPathSegment(error, `[${i}]`);
  }
  ancestors.pop();
  return json + ']';
}

function serialiseObject(object: object, ancestors: object[]): string {
  assertPlainData(object);
  const record = object as Record<string, unknown>;
  const keys = Object.keys(record);
  if (!isSorted(keys)) keys.sort();
  ancestors.push(object);
  let json = '{';
  let i = 0;
  try {
    for (; i < keys.length; i += 1) {
      json += (i === 0 ? '' : ',') + quote(keys[i]) + ':' + serialise(record[keys[i]], ancestors);
    }
  } catch (error) {
    throw withPathSegment(error, `.${keys[i]}`);
  }
  ancestors.pop();
  return json + '}';
}

function assertPlainData(object: object): void {
  const prototype = Object.getPrototypeOf(object);
  if (prototype === Object.prototype || prototype === null) return;
  const hasToJson = typeof (object as { toJSON?: unknown }).toJSON === 'function';
  if (hasToJson || Object.prototype.toString.call(object) !== '[object Object]') {
    const kind = (object.constructor as { name?: string } | undefined)?.name ?? 'object';
    throw new NonCanonicalValue(`a ${kind} is not plain JSON data; convert it explicitly`);
  }
}

/** Characters JSON.stringify escapes: quote, backslash, controls, and surrogates (lone ones become \uXXXX). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(text: string): string {
  return NEEDS_ESCAPING.test(text) ? JSON.stringify(text) : `"${text}"`;
}

function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i += 1) {
    if (keys[i - 1] > keys[i]) return false;
  }
  return true;
}

function withPathSegment(error: unknown, segment: string): unknown {
  if (error instanceof NonCanonicalValue) error.path.unshift(segment);
  return error;
}
