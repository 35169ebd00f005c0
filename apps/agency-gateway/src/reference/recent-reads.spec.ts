import { RecentReads } from './recent-reads';

describe('RecentReads', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000;
  });

  it('reuses a value until its time is up, then reads again', async () => {
    const reads = new RecentReads<string, number>(1000, 100, now);
    let loads = 0;
    const load = async () => ++loads;
    expect(await reads.get('k', load)).toBe(1);
    clock += 999;
    expect(await reads.get('k', load)).toBe(1);
    clock += 1;
    expect(await reads.get('k', load)).toBe(2);
  });

  it('reads again at once after clear() (a change made by this process)', async () => {
    const reads = new RecentReads<string, string>(60_000, 100, now);
    let state = 'active';
    expect(await reads.get('k', async () => state)).toBe('active');
    state = 'revoked';
    reads.clear();
    expect(await reads.get('k', async () => state)).toBe('revoked');
  });

  it('shares one load between concurrent readers of a key, and keeps no failed load', async () => {
    const reads = new RecentReads<string, number>(1000, 100, now);
    let loads = 0;
    const slow = () => new Promise<number>((resolve) => setImmediate(() => resolve(++loads)));
    expect(await Promise.all([reads.get('k', slow), reads.get('k', slow)])).toEqual([1, 1]);
    await expect(reads.get('other', () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(await reads.get('other', async () => 7)).toBe(7);
  });

  it('holds at most maxKeys keys', async () => {
    const reads = new RecentReads<number, number>(60_000, 3, now);
    let loads = 0;
    for (const key of [1, 2, 3, 4]) await reads.get(key, async () => ++loads);
    // The fourth key started over: the first is read again.
    expect(await reads.get(1, async () => ++loads)).toBe(5);
  });
});
