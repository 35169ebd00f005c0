import {
  Context,
  context,
  Link,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  TextMapGetter,
  trace,
  Tracer,
} from '@opentelemetry/api';
import { TracingConfig, tracingConfigFromEnv } from './tracing-config';

/**
 * The process's tracing switch: false until startTracing() found an OTLP endpoint. Every instrumented place checks
 * `tracing.enabled` first and does nothing else when it is false, so tracing costs one boolean check when off.
 */
export const tracing: { enabled: boolean; tracer: Tracer; shutdown: () => Promise<void> } = {
  enabled: false,
  tracer: trace.getTracer('alert-exchange-hub'),
  shutdown: async () => undefined,
};

/**
 * Starts the SDK when OTEL_EXPORTER_OTLP_ENDPOINT (or its _TRACES_ variant) is set: spans batched to OTLP over HTTP
 * (protobuf or JSON, OTEL_EXPORTER_OTLP_PROTOCOL), W3C trace context propagation, the sampler of
 * OTEL_TRACES_SAMPLER. Loads nothing of the SDK otherwise. Returns the configuration in force, or null when off.
 */
export function startTracing(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): TracingConfig | null {
  const config = tracingConfigFromEnv(env, defaultServiceName);
  if (!config || tracing.enabled) return config;
  /* eslint-disable @typescript-eslint/no-require-imports -- the SDK is loaded only when tracing is on */
  const sdk = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const { AsyncLocalStorageContextManager } =
    require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { OTLPTraceExporter } = (
    config.protocol === 'http/json'
      ? require('@opentelemetry/exporter-trace-otlp-http')
      : require('@opentelemetry/exporter-trace-otlp-proto')
  ) as typeof import('@opentelemetry/exporter-trace-otlp-http');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const ratio = new sdk.TraceIdRatioBasedSampler(config.ratio);
  const root = {
    always_on: new sdk.AlwaysOnSampler(),
    always_off: new sdk.AlwaysOffSampler(),
    traceidratio: ratio,
    parentbased_always_on: new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() }),
    parentbased_always_off: new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() }),
    parentbased_traceidratio: new sdk.ParentBasedSampler({ root: ratio }),
  }[config.sampler];
  const delay = Number(env.OTEL_BSP_SCHEDULE_DELAY);
  const provider = new sdk.TracerProvider({
    sampler: root,
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [
      new sdk.BatchSpanProcessor({
        exporter: new OTLPTraceExporter(),
        ...(delay > 0 ? { scheduledDelayMillis: delay } : {}),
      }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  tracing.tracer = provider.getTracer('alert-exchange-hub');
  // A collector that does not answer must not hold a stopping service for the exporter's own timeouts.
  tracing.shutdown = () =>
    Promise.race([
      provider.shutdown().catch(() => undefined),
      new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref()),
    ]);
  tracing.enabled = true;
  return config;
}

const SHUTDOWN_WAIT_MS = 2000;

/** Kafka header values as kafkajs delivers them (Buffer, string, arrays of either). */
type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type CarrierHeaders = Record<string, HeaderValue>;

const headerGetter: TextMapGetter<CarrierHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return value.map(String);
    return value.toString();
  },
};

/**
 * `headers` with the active span's `traceparent` (and `tracestate`) added, for a message leaving this process;
 * the same object when tracing is off, no span is active, or the headers already carry a trace context.
 */
export function withTraceHeaders<H extends Record<string, string> | undefined>(headers: H): H | Record<string, string> {
  if (!tracing.enabled || headers?.traceparent) return headers;
  const active = context.active();
  if (!trace.getSpanContext(active)) return headers;
  const out: Record<string, string> = { ...headers };
  propagation.inject(active, out);
  return out;
}

/** The trace context a message or request carries (W3C traceparent), or the root context when it carries none. */
export function extractTraceContext(headers: CarrierHeaders | undefined | null): Context {
  if (!headers) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers, headerGetter);
}

/**
 * Runs `work` in a new span (child of `parent`, the active context by default), ending it when `work` settles and
 * marking it failed when `work` throws. Callers check `tracing.enabled` first.
 */
export async function inSpan<R>(
  name: string,
  options: { kind?: SpanKind; attributes?: Record<string, string | number>; links?: Link[]; parent?: Context },
  work: (span: Span) => Promise<R>,
): Promise<R> {
  const parent = options.parent ?? context.active();
  const span = tracing.tracer.startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/** `work` in an internal span named `name` when tracing is on; as it is, at the cost of one check, when off. */
export function traced<R>(
  name: string,
  work: () => Promise<R>,
  attributes?: Record<string, string | number>,
): Promise<R> {
  if (!tracing.enabled) return work();
  return inSpan(name, { attributes }, () => work());
}

/** trace_id and span_id of the active span for a log line (pino mixin); nothing when tracing is off or no span. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  if (!tracing.enabled) return {};
  const span = trace.getSpanContext(context.active());
  return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
}

/**
 * Where a span serving several messages (or callers) belongs: when they all carry one trace (the usual case of one
 * alert's messages), inside it; otherwise a new trace linked to each of theirs (messaging semantic conventions for
 * batches), so that every message's trace still leads to the work done for it.
 */
export function batchParent(parents: readonly Context[]): { parent: Context; links: Link[] } {
  const spans = parents.map((p) => trace.getSpanContext(p));
  const known = spans.filter((s) => s !== undefined);
  if (known.length === 0) return { parent: ROOT_CONTEXT, links: [] };
  if (known.length === spans.length && known.every((s) => s.traceId === known[0].traceId))
    return { parent: parents[0], links: [] };
  return { parent: ROOT_CONTEXT, links: known.map((s) => ({ context: s })) };
}

/** The active context, to hand over to work that another caller's async chain will run (tracing on). */
export function activeContext(): Context {
  return context.active();
}

/** Runs `work` in `parent` (a context captured with activeContext()). */
export function runInContext<R>(parent: Context, work: () => R): R {
  return context.with(parent, work);
}

/**
 * Runs work that serves several messages (a consumer batch, a combined call) in one span placed by batchParent().
 * When the messages belong to several traces, each of those traces also gets a span of its own for the batch,
 * linked to the batch's span, so that every alert's trace shows each service that handled it.
 */
export function inBatchSpan<R>(
  name: string,
  parents: readonly Context[],
  attributes: Record<string, string | number>,
  work: () => Promise<R>,
): Promise<R> {
  const { parent, links } = batchParent(parents);
  return inSpan(name, { kind: SpanKind.CONSUMER, parent, links, attributes }, async (batch) => {
    if (links.length === 0) return work();
    const seen = new Set<string>();
    const perTrace: Span[] = [];
    for (const context of parents) {
      const traceId = trace.getSpanContext(context)?.traceId;
      if (!traceId || seen.has(traceId)) continue;
      seen.add(traceId);
      const link = { context: batch.spanContext() };
      perTrace.push(tracing.tracer.startSpan(name, { kind: SpanKind.CONSUMER, links: [link], attributes }, context));
    }
    try {
      return await work();
    } finally {
      for (const span of perTrace) span.end();
    }
  });
}

/** An event on the active span (something that happened within it, such as streams woken); nothing when off. */
export function traceEvent(name: string, attributes?: Record<string, string | number>): void {
  if (!tracing.enabled) return;
  trace.getActiveSpan()?.addEvent(name, attributes);
}
