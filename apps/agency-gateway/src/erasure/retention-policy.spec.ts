import { CATEGORY_RETENTION_PATTERN, parseCategoryRetention, retentionEnd, RetentionPolicy } from './retention-policy';

const policy: RetentionPolicy = { graceSeconds: 60, defaultSeconds: 3600, byCategory: { seizure: 7200 } };
const received = new Date('2026-01-01T00:00:00.000Z');

describe('retentionEnd', () => {
  it('is expiresAt plus the grace when the alert has an expiry', () => {
    expect(
      retentionEnd({ category: 'seizure', expiresAt: '2026-02-01T00:00:00.000Z' }, received, policy).toISOString(),
    ).toBe('2026-02-01T00:01:00.000Z');
  });

  it('is the receipt plus the category default without an expiry, else the general default', () => {
    expect(retentionEnd({ category: 'seizure' }, received, policy).toISOString()).toBe('2026-01-01T02:00:00.000Z');
    expect(retentionEnd({ category: 'route-intelligence' }, received, policy).toISOString()).toBe(
      '2026-01-01T01:00:00.000Z',
    );
  });
});

describe('RETENTION_BY_CATEGORY', () => {
  it('accepts known categories with whole seconds, and nothing', () => {
    expect(CATEGORY_RETENTION_PATTERN.test('seizure=63072000,person-of-interest=31536000')).toBe(true);
    expect(CATEGORY_RETENTION_PATTERN.test('')).toBe(true);
    expect(parseCategoryRetention('seizure=10, person-of-interest=20')).toEqual({
      seizure: 10,
      'person-of-interest': 20,
    });
  });

  it('refuses unknown categories and non-numbers', () => {
    expect(CATEGORY_RETENTION_PATTERN.test('seizures=10')).toBe(false);
    expect(CATEGORY_RETENTION_PATTERN.test('seizure=ten')).toBe(false);
    expect(CATEGORY_RETENTION_PATTERN.test('seizure')).toBe(false);
  });
});
