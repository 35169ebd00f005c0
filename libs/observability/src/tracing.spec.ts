import { SpanKind, trace } from '@opentelemetry/api';
import { tracingConfigFromEnv, TracingConfigError } from './tracing-config';
import {
  batchParent,
  extractTraceContext,
  inSpan,
  startTracing,
  traceLogFields,
  tracing,
  withTraceHeaders,
} from './tracing';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE}-${PARENT}-01`;

describe('tracingConfigFromEnv', () => {
  it('is off without an OTLP endpoint, or when disabled', () => {
    expect(tracingConfigFromEnv({}, 'audit-log')).toBeNull();
    expect(tracingConfigFromEnv({ OTEL_SERVICE_NAME: 'x' }, 'audit-log')).toBeNull();
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    expect(tracingConfigFromEnv({ ...endpoint, OTEL_SDK_DISABLED: 'true' }, 'audit-log')).toBeNull();
    expect(tracingConfigFromEnv({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }, 'audit-log')).toBeNull();
  });

  it("defaults to http/protobuf, parent-based always-on sampling and the app's name", () => {
    expect(tracingConfigFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, 'audit-log')).toEqual({
      serviceName: 'audit-log',
      protocol: 'http/protobuf',
      sampler: 'parentbased_always_on',
      ratio: 1,
    });
  });

  it('takes the standard variables', () => {
    expect(
      tracingConfigFromEnv(
        {
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_SERVICE_NAME: 'gateway-osh',
          OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
          OTEL_TRACES_SAMPLER_ARG: '0.25',
        },
        'agency-gateway',
      ),
    ).toEqual({ serviceName: 'gateway-osh', protocol: 'http/json', sampler: 'parentbased_traceidratio', ratio: 0.25 });
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, /OTEL_EXPORTER_OTLP_PROTOCOL must be http\/protobuf or http\/json/],
    [{ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'json' }, /OTEL_EXPORTER_OTLP_TRACES_PROTOCOL/],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER must be one of/],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }, /OTEL_TRACES_SAMPLER_ARG/],
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, /OTEL_TRACES_EXPORTER/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, /OTEL_EXPORTER_OTLP_ENDPOINT must be a URL/],
  ])('refuses %j naming the variable', (bad, message) => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', ...bad };
    expect(() => tracingConfigFromEnv(env, 'audit-log')).toThrow(TracingConfigError);
    expect(() => tracingConfigFromEnv(env, 'audit-log')).toThrow(message);
  });
});

describe('Kafka header trace context', () => {
  it('leaves headers untouched while tracing is off', () => {
    expect(tracing.enabled).toBe(false);
    const headers = { a: 'b' };
    expect(withTraceHeaders(headers)).toBe(headers);
    expect(traceLogFields()).toEqual({});
  });

  describe('with tracing on', () => {
    beforeAll(() => {
      // Nothing listens there and the export interval is long: nothing leaves the test.
      startTracing('test', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_BSP_SCHEDULE_DELAY: '600000' });
    });
    afterAll(() => tracing.shutdown().catch(() => undefined));

    it('injects the active span as a W3C traceparent, and extracts it from Kafka header bytes', async () => {
      expect(tracing.enabled).toBe(true);
      expect(withTraceHeaders(undefined)).toBeUndefined();
      const parent = extractTraceContext({ traceparent: Buffer.from(TRACEPARENT), other: 'x' });
      expect(trace.getSpanContext(parent)).toMatchObject({ traceId: TRACE, spanId: PARENT, isRemote: true });
      await inSpan('process t', { kind: SpanKind.CONSUMER, parent }, async (span) => {
        const headers = withTraceHeaders({ key: 'v' }) as Record<string, string>;
        expect(headers.key).toBe('v');
        expect(headers.traceparent).toBe(`00-${TRACE}-${span.spanContext().spanId}-01`);
        expect(traceLogFields()).toEqual({ trace_id: TRACE, span_id: span.spanContext().spanId });
        // A message that already carries a trace context (an outbox row) keeps it.
        const kept = { traceparent: TRACEPARENT };
        expect(withTraceHeaders(kept)).toBe(kept);
        // Round trip: what the next consumer extracts continues this span.
        expect(trace.getSpanContext(extractTraceContext(headers))).toMatchObject({
          traceId: TRACE,
          spanId: span.spanContext().spanId,
        });
      });
    });

    it('reads array header values and ignores malformed or absent ones', () => {
      expect(trace.getSpanContext(extractTraceContext({ traceparent: [Buffer.from(TRACEPARENT)] }))?.traceId).toBe(
        TRACE,
      );
      expect(trace.getSpanContext(extractTraceContext({ traceparent: '00-nonsense' }))).toBeUndefined();
      expect(trace.getSpanContext(extractTraceContext({}))).toBeUndefined();
      expect(trace.getSpanContext(extractTraceContext(undefined))).toBeUndefined();
    });

    it('puts a batch of one trace inside it, and links a batch of several traces', () => {
      const other = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
      const one = batchParent([
        extractTraceContext({ traceparent: TRACEPARENT }),
        extractTraceContext({ traceparent: TRACEPARENT }),
      ]);
      expect(trace.getSpanContext(one.parent)?.traceId).toBe(TRACE);
      expect(one.links).toEqual([]);
      const many = batchParent([
        extractTraceContext({ traceparent: TRACEPARENT }),
        extractTraceContext({ traceparent: other }),
      ]);
      expect(trace.getSpanContext(many.parent)).toBeUndefined();
      expect(many.links.map((l) => l.context.traceId)).toEqual([TRACE, '1'.repeat(32)]);
    });
  });
});
