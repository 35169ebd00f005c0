import { futureDatedRecordError, REFERENCE_CLOCK_SKEW_MS } from './reference';

describe('futureDatedRecordError: a reference record dated in the future is refused', () => {
  const now = Date.parse('2026-12-07T12:00:00.000Z');
  const at = (ms: number) => ({ updatedAt: new Date(now + ms).toISOString() });

  it('accepts the past, now and a small clock skew', () => {
    expect(futureDatedRecordError(at(-86_400_000), now)).toBeNull();
    expect(futureDatedRecordError(at(0), now)).toBeNull();
    expect(futureDatedRecordError(at(REFERENCE_CLOCK_SKEW_MS), now)).toBeNull();
  });

  it('refuses a record dated beyond the skew, naming the field', () => {
    expect(futureDatedRecordError(at(REFERENCE_CLOCK_SKEW_MS + 1), now)).toMatch(/^updatedAt: .* in the future$/);
    expect(futureDatedRecordError({ updatedAt: '9999-12-31T00:00:00.000Z' }, now)).toMatch(/^updatedAt: 9999-12-31/);
  });
});
