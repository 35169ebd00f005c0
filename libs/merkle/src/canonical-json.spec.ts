import fc from 'fast-check';
import { auditEntryLeafBytes, auditEntryLeafHash } from './audit-leaf';
import { canonicalJson } from './canonical-json';
import { leafHash } from './hashing';
import { MerkleError, MerkleErrorCode } from './merkle-error';

/** Rebuilds every object of a JSON value with its keys in a shuffled order. */
function withShuffledKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item, i) => withShuffledKeys(item, seed + i));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const shuffled = entries
    .map((entry, i) => ({ entry, order: Math.sin(seed * 9301 + i * 49297) }))
    .sort((a, b) => a.order - b.order)
    .map(({ entry: [key, item] }, i) => [key, withShuffledKeys(item, seed + i + 1)] as const);
  return Object.fromEntries(shuffled);
}

const jsonValue = fc.jsonValue();

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    const entry = {
      type: 'alert.delivered',
      actor: { role: 'agency', agencyId: 'TJ-DCA' },
      details: { b: [3, 1, { z: 1, a: 2 }], a: null },
    };
    expect(canonicalJson(entry)).toBe(
      '{"actor":{"agencyId":"TJ-DCA","role":"agency"},"details":{"a":null,"b":[3,1,{"a":2,"z":1}]},"type":"alert.delivered"}',
    );
  });

  it('orders keys by UTF-16 code units, as RFC 8785 does', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3, é: 4, '10': 5, '9': 6, '': 7 })).toBe(
      '{"":7,"10":5,"9":6,"B":2,"a":3,"b":1,"é":4}',
    );
  });

  it('writes strings and numbers exactly as JSON does, including escapes and non-ASCII', () => {
    expect(canonicalJson(['Хорог "КПП"\n', 1e21, 0.1, -0, 5e-7, true, false])).toBe(
      '["Хорог \\"КПП\\"\\n",1e+21,0.1,0,5e-7,true,false]',
    );
  });

  it('does not depend on the order in which keys were inserted', () => {
    fc.assert(
      fc.property(jsonValue, fc.integer(), (value, seed) => {
        expect(canonicalJson(withShuffledKeys(value, seed))).toBe(canonicalJson(value));
      }),
      { numRuns: 500 },
    );
  });

  it('parses back to the same data as plain JSON and re-serialises to the same bytes', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const canonical = canonicalJson(value);
        expect(JSON.parse(canonical)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(JSON.parse(canonical))).toBe(canonical);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['undefined at the top', undefined, 'the value'],
    ['an undefined property', { a: { b: undefined } }, '$.a.b'],
    ['a function', { run: () => 1 }, '$.run'],
    ['NaN', [1, NaN], '$[1]'],
    ['Infinity', { n: Infinity }, '$.n'],
    ['a bigint', { n: BigInt(1) }, '$.n'],
    ['a symbol', { s: Symbol('x') }, '$.s'],
    ['a Date', { at: new Date(0) }, '$.at'],
    ['a Map', { m: new Map() }, '$.m'],
    ['a Buffer', { b: Buffer.from('x') }, '$.b'],
    ['a sparse array', { list: [1, , 3] }, '$.list[1]'], // eslint-disable-line no-sparse-arrays
  ])('rejects %s, naming where it is', (_, value, where) => {
    expect(() => canonicalJson(value)).toThrow(MerkleError);
    expect(() => canonicalJson(value)).toThrow(expect.objectContaining({ code: MerkleErrorCode.NonCanonicalValue }));
    expect(() => canonicalJson(value)).toThrow(where);
  });

  it('serialises values nested deeper than the fast path goes', () => {
    let nested: unknown = { b: 1, a: 2 };
    for (let depth = 0; depth < 40; depth += 1) nested = depth % 2 === 0 ? [nested] : { z: true, k: nested };
    expect(canonicalJson(nested)).toBe(JSON.stringify(JSON.parse(canonicalJson(nested))));
    expect(canonicalJson(nested)).toMatch(/\{"a":2,"b":1\}/);
  });

  it('rejects a value that contains itself', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(() => canonicalJson(cyclic)).toThrow(/contains itself/);
  });

  it('accepts the same object twice when it is not its own ancestor', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('serialises class instances by their own fields, so a DTO and its parsed JSON hash alike', () => {
    class Actor {
      constructor(
        readonly role: string,
        readonly agencyId: string,
      ) {}
    }
    const entry = { actor: new Actor('agency', 'KG-BS') };
    expect(canonicalJson(entry)).toBe(canonicalJson(JSON.parse(JSON.stringify(entry))));
  });

  it('defines the audit leaf as the UTF-8 bytes of the canonical JSON', () => {
    const entry = { seqHint: 1, headline: 'Героин', at: '2025-05-01T00:00:00.000Z' };
    expect(auditEntryLeafBytes(entry).toString('utf8')).toBe(canonicalJson(entry));
    expect(auditEntryLeafHash(entry)).toEqual(leafHash(Buffer.from(canonicalJson(entry), 'utf8')));
    expect(auditEntryLeafHash({ at: entry.at, headline: entry.headline, seqHint: 1 })).toEqual(
      auditEntryLeafHash(entry),
    );
    expect(auditEntryLeafHash({ ...entry, seqHint: 2 })).not.toEqual(auditEntryLeafHash(entry));
  });
});
