import { parseBenchOptions } from '../bench';
import {
  comparisonVariants,
  establishedConnectionsTo,
  median,
  renderComparison,
  summariseComparison,
  VariantRun,
} from './compare';

const run = (variant: string, round: number, cpu: number, rate: number, error: string | null = null): VariantRun => ({
  variant,
  round,
  baselineBatchedMessagesPerSecond: variant === 'A' ? 20000 : 25000,
  fixed: {
    alertsPerSecond: 50,
    complete: true,
    hubCpuMsPerAlert: cpu,
    machineBusyPercent: cpu * 10,
    p50: 10,
    p99: 40 + cpu,
    samples: 1000,
  },
  saturation: {
    alertsPerSecond: rate,
    complete: true,
    hubCpuMsPerAlert: cpu + 1,
    machineBusyPercent: 100,
    p50: 100,
    p99: 900,
    samples: 4000,
  },
  companion: null,
  error,
});

describe('--compare', () => {
  it('is parsed with its rounds, and refused for an unknown feature or a 3-broker cluster', () => {
    expect(parseBenchOptions(['--compare', 'tls', '--compare-rounds', '3'])).toMatchObject({
      compare: 'tls',
      compareRounds: 3,
    });
    expect(parseBenchOptions([])).toMatchObject({ compare: null, compareRounds: 2 });
    expect(() => parseBenchOptions(['--compare', 'http'])).toThrow(/--compare is one of tls, observability/);
    expect(() => parseBenchOptions(['--compare', 'tls', '--brokers', '3'])).toThrow(/single bench broker/);
  });

  it('strips TLS only in the plaintext variant, and needs the broker plaintext listener for it', () => {
    const [tls, plaintext] = comparisonVariants('tls');
    expect(tls.serviceEnv(['127.0.0.1:29094'])).not.toHaveProperty('BENCH_KAFKA_PLAINTEXT_BROKERS');
    expect(plaintext.serviceEnv(['127.0.0.1:29094'])).toMatchObject({
      BENCH_KAFKA_PLAINTEXT_BROKERS: '127.0.0.1:29094',
    });
    expect(() => plaintext.serviceEnv(undefined)).toThrow(/plaintext listener/);
    expect(tls.baseline && plaintext.baseline).toBe(true);
  });

  it('switches metric recording and tracing off in A, and runs the scraper and OTLP sink only in B', () => {
    const [off, on] = comparisonVariants('observability');
    expect(off.serviceEnv(undefined)).toEqual({ OTEL_SDK_DISABLED: 'true', BENCH_METRICS_OFF: '1' });
    expect(off.companion).toBeNull();
    expect(on.serviceEnv(undefined)).toEqual({});
    expect(on.companion).not.toBeNull();
  });

  it('sets the OTLP endpoint of B to a sink that answers and counts what it was sent', async () => {
    const [, on] = comparisonVariants('observability');
    const companion = await (on.companion as NonNullable<typeof on.companion>)(() => []);
    try {
      const response = await fetch(`${companion.env.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: Buffer.alloc(300),
      });
      expect(response.status).toBe(200);
      expect(companion.counts()).toMatchObject({ otlpRequests: 1, otlpBytes: 300 });
      expect(companion.env.OTEL_EXPORTER_OTLP_PROTOCOL).toBe('http/protobuf');
    } finally {
      await companion.stop();
    }
  });

  it('takes medians per variant and reports B against A', () => {
    expect(median([3, 1, null, 2])).toBe(2);
    expect(median([1, 2])).toBe(1.5);
    expect(median([null, undefined])).toBeNull();
    const runs = [run('A', 1, 4, 200), run('B', 1, 6, 150), run('B', 2, 8, 170), run('A', 2, 5, 210)];
    const summary = summariseComparison('tls', ['A', 'B'], runs);
    expect(summary.variants.map((v) => [v.name, v.runs, v.fixedHubCpuMsPerAlert, v.saturationAlertsPerSecond])).toEqual(
      [
        ['A', 2, 4.5, 205],
        ['B', 2, 7, 160],
      ],
    );
    expect(summary.difference).toMatchObject({
      fixedHubCpuMsPerAlert: 2.5,
      saturationAlertsPerSecondRatio: 0.78,
      baselineMessagesPerSecondRatio: 1.25,
    });
    expect(summary.variants.every((v) => v.complete)).toBe(true);
    const text = renderComparison(summary, runs, 50).join('\n');
    expect(text).toContain('B − A: 2.5 ms CPU/alert');
    expect(text).toContain('round 2 B: fixed 8 ms/alert');
  });

  it('marks a variant with a failed run incomplete', () => {
    const summary = summariseComparison('observability', ['A', 'B'], [run('A', 1, 4, 200), run('B', 1, 5, 0, 'boom')]);
    expect(summary.variants.map((v) => v.complete)).toEqual([true, false]);
    expect(renderComparison(summary, [run('B', 1, 5, 0, 'boom')], 50).join('\n')).toMatch(
      /B\. B \(INCOMPLETE\)[\s\S]*FAILED: boom/,
    );
  });
});

describe('establishedConnectionsTo', () => {
  it('counts the open connections to a local port', async () => {
    const net = await import('node:net');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    expect(establishedConnectionsTo(port)).toBe(0);
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    try {
      expect(establishedConnectionsTo(port)).toBe(1);
    } finally {
      socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
