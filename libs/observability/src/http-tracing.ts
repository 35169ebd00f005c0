import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { CarrierHeaders, extractTraceContext, tracing } from './tracing';

/**
 * Express middleware (mounted after the body parsers, so that the handler runs in the span's context): a SERVER span
 * per request, continuing the caller's W3C `traceparent`, named by method and route template (HTTP semantic
 * conventions). Probes and scrapes are left out. Nothing but one check when tracing is off.
 */
export function traceHttpRequests(request: Request, response: Response, next: NextFunction): void {
  if (!tracing.enabled || QUIET_PATHS.test(request.url)) return next();
  const parent = extractTraceContext(request.headers as CarrierHeaders);
  const span = tracing.tracer.startSpan(
    request.method,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': request.method, 'url.path': request.path },
    },
    parent,
  );
  response.once('close', () => {
    const route = (request as Request & { route?: { path?: unknown } }).route?.path;
    if (typeof route === 'string') {
      span.updateName(`${request.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    span.setAttribute('http.response.status_code', response.statusCode);
    if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
  context.with(trace.setSpan(parent, span), next);
}

const QUIET_PATHS = /^\/(health(\/live|\/ready)?|metrics)(\?|$)/;
