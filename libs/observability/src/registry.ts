import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

/**
 * The one registry of a hub process: every `hub_*` metric registers here, at module load, so that a counter is a
 * module constant whose update costs a map lookup and an addition (no injection, no I/O). A process serves one app,
 * whose name is the `service` label of every series (set by ObservabilityModule.forRoot).
 */
export const metricsRegistry = new Registry();

let defaultsCollected = false;

/** Node.js and process metrics (heap, GC, event loop lag, CPU, open handles), prefixed hub_; once per process. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'hub_' });
}

const probeErrors = new Counter({
  name: 'hub_metrics_probe_errors_total',
  help: 'Scrapes in which a value computed on scrape (a database query) could not be read, by probe',
  labelNames: ['probe'],
  registers: [metricsRegistry],
});

/**
 * A reading taken on scrape (for example one SQL statement) shared by the gauges it feeds: gauges are collected
 * concurrently, so the first collect() of a scrape starts the reading and the others of the same scrape await it.
 * Nothing runs between scrapes: a hub nobody scrapes issues no statement at rest. A failed reading counts in
 * hub_metrics_probe_errors_total and yields null (the gauges then report no sample rather than a stale one).
 */
export function scrapeProbe<T>(name: string, read: () => Promise<T>, reuseMs = 1000): () => Promise<T | null> {
  let last: { at: number; value: Promise<T | null> } | null = null;
  return () => {
    const now = Date.now();
    if (last && now - last.at < reuseMs) return last.value;
    const value = read().catch(() => {
      probeErrors.inc({ probe: name });
      return null;
    });
    last = { at: now, value };
    return value;
  };
}
