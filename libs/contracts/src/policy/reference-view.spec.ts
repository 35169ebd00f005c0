import { isGroupExpired } from './reference-view';

describe('isGroupExpired', () => {
  const now = new Date('2025-05-01T10:00:00Z');

  it('never expires a group without an expiry', () => {
    expect(isGroupExpired({ expiresAt: null }, now)).toBe(false);
  });

  it('expires a group at its expiry instant, whatever the offset it is written in', () => {
    expect(isGroupExpired({ expiresAt: '2025-05-01T10:00:00.001Z' }, now)).toBe(false);
    expect(isGroupExpired({ expiresAt: '2025-05-01T10:00:00Z' }, now)).toBe(true);
    expect(isGroupExpired({ expiresAt: '2025-05-01T15:00:00+05:00' }, now)).toBe(true);
    expect(isGroupExpired({ expiresAt: '2025-05-01T15:00:01+05:00' }, now)).toBe(false);
  });

  it('treats an unreadable expiry as expired', () => {
    expect(isGroupExpired({ expiresAt: 'soon' }, now)).toBe(true);
  });
});
