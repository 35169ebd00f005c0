import { restartBackoff } from './supervisor';

describe('restartBackoff', () => {
  it('doubles per consecutive crash from the minimum and stops at the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => restartBackoff(n))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
    expect([1, 2, 5].map((n) => restartBackoff(n, { minBackoffMs: 200, maxBackoffMs: 2000 }))).toEqual([
      200, 400, 2000,
    ]);
  });
});
