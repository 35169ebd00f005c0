import { metricsRegistry, scrapeProbe } from './registry';

async function probeErrors(probe: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('hub_metrics_probe_errors_total')!.get();
  return metric.values.find((value) => value.labels.probe === probe)?.value ?? 0;
}

describe('scrapeProbe (values read on scrape)', () => {
  it('reads once for the gauges of one scrape, and again at the next scrape', async () => {
    let reads = 0;
    let now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const probe = scrapeProbe('shared', async () => ++reads, 1000);
    expect(await Promise.all([probe(), probe(), probe()])).toEqual([1, 1, 1]);
    expect(reads).toBe(1);
    now += 15_000;
    expect(await probe()).toBe(2);
    jest.restoreAllMocks();
  });

  it('yields null and counts the failure when the reading fails, without throwing into the scrape', async () => {
    const probe = scrapeProbe('failing', () => Promise.reject(new Error('database away')), 0);
    const before = await probeErrors('failing');
    expect(await probe()).toBeNull();
    expect(await probeErrors('failing')).toBe(before + 1);
  });

  it('reads nothing until asked', () => {
    const read = jest.fn(async () => 1);
    scrapeProbe('idle', read);
    expect(read).not.toHaveBeenCalled();
  });
});
