import { isIso6346 } from '@hub/contracts/domain/iso6346';
import { hitIdentifiers, ndjsonBatch, unknownContainer } from './bulk';
import { containerNumber } from './payload';

describe('bulk benchmark inputs', () => {
  it('writes one NDJSON line per alert, each with its own idempotency key and the prepared body as the alert', () => {
    let n = 0;
    const text = ndjsonBatch([{ json: '{"headline":"a"}' }, { json: '{"headline":"b"}' }], 3, () => `k${n++}`);
    expect(text.endsWith('\n')).toBe(true);
    expect(
      text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { idempotencyKey: 'k0', alert: { headline: 'a' } },
      { idempotencyKey: 'k1', alert: { headline: 'b' } },
      { idempotencyKey: 'k2', alert: { headline: 'a' } },
    ]);
  });

  it('asks about valid container numbers, the known ones from the given range and the others from an unused owner', () => {
    const identifiers = hitIdentifiers(1000, 0.1, { from: 63, to: 504 });
    expect(identifiers).toHaveLength(1000);
    expect(identifiers.every((i) => i.type === 'container' && isIso6346(i.number))).toBe(true);
    const known = identifiers.filter((i) => !i.number.startsWith('ZZQU'));
    expect(known).toHaveLength(100);
    const range = new Set(Array.from({ length: 504 - 63 }, (_, k) => containerNumber(63 + k)));
    expect(known.every((i) => range.has(i.number))).toBe(true);
    expect(unknownContainer(5)).toMatch(/^ZZQU000005\d$/);
  });
});
