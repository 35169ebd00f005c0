import { parseProcStat, round1, summarize } from './metrics';

describe('summarize (nearest-rank percentiles)', () => {
  it('gives no figures for no samples', () => {
    expect(summarize([])).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null, mean: null });
  });

  it('takes the value at rank ceil(p/100 · n) of the sorted list', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted
    expect(summarize(values)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100, mean: 50.5 });
  });

  it('uses the only sample for every percentile', () => {
    expect(summarize([7.26])).toEqual({ count: 1, p50: 7.3, p95: 7.3, p99: 7.3, max: 7.3, mean: 7.3 });
  });

  it('rounds to one decimal and sorts the list in place', () => {
    const values = [3.04, 1.15, 2.25];
    const summary = summarize(values);
    expect(values).toEqual([1.15, 2.25, 3.04]);
    expect(summary.p50).toBe(2.3);
    expect(summary.max).toBe(3);
    expect(summary.mean).toBe(2.1);
  });

  it('puts p99 of 10 samples on the largest', () => {
    const summary = summarize([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([summary.p50, summary.p95, summary.p99]).toEqual([5, 10, 10]);
  });
});

describe('round1', () => {
  it.each([
    [1.25, 1.3],
    [1.24, 1.2],
    [-0.06, -0.1],
    [12, 12],
  ])('%p → %p', (value, rounded) => expect(round1(value)).toBe(rounded));
});

describe('parseProcStat', () => {
  it('counts idle and iowait as not busy', () => {
    // cpu user nice system idle iowait irq softirq steal
    expect(parseProcStat('cpu  100 5 50 800 40 3 2 0')).toEqual({ busy: 160, total: 1000 });
  });
});
