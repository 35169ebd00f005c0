/**
 * `npm run bench -- --compare tls|observability`: what one feature costs, measured in one run. The same build runs
 * the fixed-rate and saturation phases in two variants, alternating (A B, then B A, …) so that a drift of the machine
 * during the run falls on both; each variant on a fresh broker and a fresh database. The feature is switched inside
 * the services by the bench alone (variant-preload.ts), never by a setting the services offer:
 *   tls            A: Kafka over SASL_SSL as shipped; B: the same services with TLS stripped from every kafkajs
 *                  client, on the bench broker's loopback SASL_PLAINTEXT listener (and the raw kafkajs baseline
 *                  both ways);
 *   observability  A: metric recording a no-op and no tracing (OTEL_SDK_DISABLED); B: metrics recorded and scraped
 *                  every 5 s from each service as Prometheus would, every span exported over OTLP/HTTP protobuf to a
 *                  sink in the bench process (it counts requests and bytes, and answers as a collector does).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hubCpuMsPerAlert } from './report';
import type { BenchResults, ExchangePhaseResult } from './results';

export const COMPARISONS = ['tls', 'observability'] as const;
export type Comparison = (typeof COMPARISONS)[number];

/** What a variant runs with, and what it runs beside the hub while it is measured. */
export interface Variant {
  name: string;
  /** The bench broker also listens on SASL_PLAINTEXT (loopback) for this variant. */
  plaintextListener: boolean;
  /** Set in every service; given the broker's plaintext addresses when it has them. */
  serviceEnv: (plaintextBrokers: string[] | undefined) => Record<string, string>;
  /** Started before the hub, stopped after it: the OTLP sink and the scraper. */
  companion: ((urls: () => string[]) => Promise<Companion>) | null;
  /** The raw kafkajs baseline runs in this variant (over plaintext when `plaintextListener`). */
  baseline: boolean;
  /**
   * With a plaintext listener: whether the services must (true) or must not (false) have connections open to it
   * after the phases — checked, so that a preload that silently did nothing cannot pass for "without TLS".
   */
  plaintextConnections: boolean | null;
}

export interface Companion {
  env: Record<string, string>;
  counts(): Record<string, number>;
  stop(): Promise<void>;
}

const NO_TRACING = { OTEL_SDK_DISABLED: 'true' };

export function comparisonVariants(comparison: Comparison): [Variant, Variant] {
  if (comparison === 'tls')
    return [
      {
        name: 'Kafka over SASL_SSL (as shipped)',
        plaintextListener: true,
        serviceEnv: () => NO_TRACING,
        companion: null,
        baseline: true,
        plaintextConnections: false,
      },
      {
        name: 'Kafka over SASL_PLAINTEXT (bench only)',
        plaintextListener: true,
        serviceEnv: (plaintext) => {
          if (!plaintext?.length) throw new Error('the plaintext variant needs the broker plaintext listener');
          return { ...NO_TRACING, BENCH_KAFKA_PLAINTEXT_BROKERS: plaintext.join(',') };
        },
        companion: null,
        baseline: true,
        plaintextConnections: true,
      },
    ];
  return [
    {
      name: 'metrics and tracing off',
      plaintextListener: false,
      serviceEnv: () => ({ ...NO_TRACING, BENCH_METRICS_OFF: '1' }),
      companion: null,
      baseline: false,
      plaintextConnections: null,
    },
    {
      name: 'metrics scraped every 5 s, every span exported (OTLP)',
      plaintextListener: false,
      serviceEnv: () => ({}),
      companion: observabilityCompanion,
      baseline: false,
      plaintextConnections: null,
    },
  ];
}

/** The OTLP/HTTP sink and a 5-second /metrics scraper, as a Prometheus and a collector beside the hub would be. */
async function observabilityCompanion(metricsUrls: () => string[]): Promise<Companion> {
  const counts = { otlpRequests: 0, otlpBytes: 0, scrapes: 0, scrapeBytes: 0, scrapeErrors: 0 };
  const sink = http.createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (counts.otlpBytes += chunk.length));
    request.on('end', () => {
      counts.otlpRequests++;
      // An empty ExportTraceServiceResponse: zero bytes of protobuf.
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const { port } = sink.address() as AddressInfo;
  const scrape = async () => {
    await Promise.all(
      metricsUrls().map(async (url) => {
        try {
          const response = await fetch(url);
          const body = await response.text();
          if (!response.ok) throw new Error(`${response.status}`);
          counts.scrapes++;
          counts.scrapeBytes += Buffer.byteLength(body);
        } catch {
          counts.scrapeErrors++;
        }
      }),
    );
  };
  const timer = setInterval(() => void scrape(), 5000);
  return {
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: 'always_on',
    },
    counts: () => ({ ...counts }),
    stop: async () => {
      clearInterval(timer);
      await new Promise<void>((resolve) => sink.close(() => resolve()));
    },
  };
}

/** Established TCP connections (IPv4 and IPv6) whose remote end is the given local port, from /proc/net. */
export function establishedConnectionsTo(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, , remote, state] = line.trim().split(/\s+/);
      // State 01 is ESTABLISHED.
      if (remote && state === '01' && remote.endsWith(`:${hexPort}`)) count++;
    }
  }
  return count;
}

/** Why a variant's run does not measure what it says, or null. */
export function plaintextCheck(variant: Variant, plaintextBrokers: string[] | undefined): string | null {
  if (variant.plaintextConnections === null || !plaintextBrokers?.length) return null;
  const open = plaintextBrokers.reduce(
    (sum, broker) => sum + establishedConnectionsTo(Number(broker.split(':')[1])),
    0,
  );
  if (variant.plaintextConnections && open === 0)
    return 'no connection to the plaintext listener: the services did not drop TLS (variant-preload)';
  if (!variant.plaintextConnections && open > 0)
    return `${open} connections to the plaintext listener in the TLS variant`;
  return null;
}

/** One variant's figures from one environment. */
export interface VariantRun {
  variant: string;
  round: number;
  baselineBatchedMessagesPerSecond: number | null;
  fixed: PhaseFigures | null;
  saturation: PhaseFigures | null;
  companion: Record<string, number> | null;
  error: string | null;
}

export interface PhaseFigures {
  alertsPerSecond: number;
  complete: boolean;
  hubCpuMsPerAlert: number | null;
  machineBusyPercent: number;
  p50: number | null;
  p99: number | null;
  samples: number;
}

function phaseFigures(phase: ExchangePhaseResult | undefined): PhaseFigures | null {
  if (!phase) return null;
  const cpu = hubCpuMsPerAlert(phase.cpuMsPerAlertAboveIdle);
  return {
    alertsPerSecond: Math.max(phase.alertsPerSecond, phase.pipeline?.alertsPerSecond ?? 0),
    complete: phase.drainedCompletely,
    hubCpuMsPerAlert: cpu === null ? null : Math.round(cpu * 100) / 100,
    machineBusyPercent: phase.resources.machineBusyPercent,
    p50: phase.latencyMs.total.p50,
    p99: phase.latencyMs.total.p99,
    samples: phase.latencyMs.total.count,
  };
}

/** What a comparison keeps of one environment's results. */
export function variantRun(
  variant: string,
  round: number,
  results: Pick<BenchResults, 'baseline' | 'endToEnd' | 'error'>,
  companion: Record<string, number> | null,
): VariantRun {
  return {
    variant,
    round,
    baselineBatchedMessagesPerSecond: results.baseline?.batched.messagesPerSecond ?? null,
    fixed: phaseFigures(results.endToEnd?.fixed),
    saturation: phaseFigures(results.endToEnd?.saturation),
    companion,
    error: results.error ?? null,
  };
}

/** The median of the numbers given (null entries skipped); null when there are none. */
export function median(values: (number | null | undefined)[]): number | null {
  const sorted = values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
  if (!sorted.length) return null;
  const middle = Math.floor(sorted.length / 2);
  const m = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return Math.round(m * 100) / 100;
}

export interface ComparisonSummary {
  comparison: Comparison;
  /** Medians per variant, in the order A, B. */
  variants: {
    name: string;
    runs: number;
    complete: boolean;
    baselineBatchedMessagesPerSecond: number | null;
    fixedHubCpuMsPerAlert: number | null;
    fixedBusyPercent: number | null;
    fixedP99: number | null;
    saturationAlertsPerSecond: number | null;
    saturationHubCpuMsPerAlert: number | null;
  }[];
  /** B over A (the feature on over off for `observability`; plaintext over TLS for `tls`), from the medians. */
  difference: Record<string, number | null>;
}

export function summariseComparison(
  comparison: Comparison,
  names: [string, string],
  runs: VariantRun[],
): ComparisonSummary {
  const variants = names.map((name) => {
    const mine = runs.filter((run) => run.variant === name);
    return {
      name,
      runs: mine.length,
      complete: mine.length > 0 && mine.every((run) => !run.error && run.fixed?.complete && run.saturation?.complete),
      baselineBatchedMessagesPerSecond: median(mine.map((run) => run.baselineBatchedMessagesPerSecond)),
      fixedHubCpuMsPerAlert: median(mine.map((run) => run.fixed?.hubCpuMsPerAlert)),
      fixedBusyPercent: median(mine.map((run) => run.fixed?.machineBusyPercent)),
      fixedP99: median(mine.map((run) => run.fixed?.p99)),
      saturationAlertsPerSecond: median(mine.map((run) => run.saturation?.alertsPerSecond)),
      saturationHubCpuMsPerAlert: median(mine.map((run) => run.saturation?.hubCpuMsPerAlert)),
    };
  });
  const [a, b] = variants;
  const delta = (x: number | null, y: number | null) =>
    x === null || y === null ? null : Math.round((y - x) * 100) / 100;
  const ratio = (x: number | null, y: number | null) => (x && y !== null ? Math.round((y / x) * 1000) / 1000 : null);
  return {
    comparison,
    variants,
    difference: {
      fixedHubCpuMsPerAlert: delta(a.fixedHubCpuMsPerAlert, b.fixedHubCpuMsPerAlert),
      fixedBusyPercentPoints: delta(a.fixedBusyPercent, b.fixedBusyPercent),
      fixedP99Ms: delta(a.fixedP99, b.fixedP99),
      saturationHubCpuMsPerAlert: delta(a.saturationHubCpuMsPerAlert, b.saturationHubCpuMsPerAlert),
      saturationAlertsPerSecondRatio: ratio(a.saturationAlertsPerSecond, b.saturationAlertsPerSecond),
      baselineMessagesPerSecondRatio: ratio(a.baselineBatchedMessagesPerSecond, b.baselineBatchedMessagesPerSecond),
    },
  };
}

/** The comparison's lines of the printed table. */
export function renderComparison(summary: ComparisonSummary, runs: VariantRun[], rate: number): string[] {
  const f = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toLocaleString('en-US'));
  const lines = [`Comparison (--compare ${summary.comparison}): medians of each variant's runs, alternated A B / B A`];
  lines.push(
    `  ${'variant'.padEnd(68)} runs  raw msg/s  fixed ${rate}/s: ms CPU/alert  busy %  p99 ms   saturation: alerts/s  ms CPU/alert`,
  );
  summary.variants.forEach((v, i) => {
    lines.push(
      `  ${`${'AB'[i]}. ${v.name}${v.complete ? '' : ' (INCOMPLETE)'}`.padEnd(68)} ${String(v.runs).padEnd(5)} ${f(v.baselineBatchedMessagesPerSecond).padEnd(10)} ${f(v.fixedHubCpuMsPerAlert).padEnd(24)} ${f(v.fixedBusyPercent).padEnd(7)} ${f(v.fixedP99).padEnd(8)} ${f(v.saturationAlertsPerSecond).padEnd(21)} ${f(v.saturationHubCpuMsPerAlert)}`,
    );
  });
  const d = summary.difference;
  lines.push(
    `  B − A: ${f(d.fixedHubCpuMsPerAlert)} ms CPU/alert and ${f(d.fixedBusyPercentPoints)} busy points at ${rate}/s, p99 ${f(d.fixedP99Ms)} ms; ` +
      `${f(d.saturationHubCpuMsPerAlert)} ms CPU/alert at saturation; B/A throughput ${f(d.saturationAlertsPerSecondRatio)}` +
      (d.baselineMessagesPerSecondRatio !== null ? `, raw kafkajs ${f(d.baselineMessagesPerSecondRatio)}` : ''),
  );
  for (const run of runs) {
    lines.push(
      `    round ${run.round} ${run.variant}: fixed ${f(run.fixed?.hubCpuMsPerAlert)} ms/alert, busy ${f(run.fixed?.machineBusyPercent)} %, p50/p99 ${f(run.fixed?.p50)}/${f(run.fixed?.p99)} ms (${f(run.fixed?.samples)} samples); saturation ${f(run.saturation?.alertsPerSecond)} alerts/s, ${f(run.saturation?.hubCpuMsPerAlert)} ms/alert` +
        (run.companion
          ? `; ${Object.entries(run.companion)
              .map(([k, v]) => `${k} ${f(v)}`)
              .join(', ')}`
          : '') +
        (run.error ? `; FAILED: ${run.error.split('\n')[0]}` : ''),
    );
  }
  return lines;
}
