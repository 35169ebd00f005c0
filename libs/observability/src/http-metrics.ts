import type { NextFunction, Request, Response } from 'express';
import { Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from './registry';

const requestDuration = new Histogram({
  name: 'hub_http_request_duration_seconds',
  help: 'HTTP requests from arrival to the last byte of the answer, by method, route template and status',
  labelNames: ['method', 'route', 'status_code'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/** Live streams (SSE) held open, by stream (the gateway's inbox, the node's feed). */
export const openStreams = new Gauge({
  name: 'hub_open_streams',
  help: 'Server-Sent Event streams open in this process, by stream',
  labelNames: ['stream'],
  registers: [metricsRegistry],
});

/**
 * Express middleware timing every request. The route label is the matched route's template (`/v1/alerts/:alertId`),
 * never the raw path, so that ids do not become series; a request no route matched is `unmatched`. Event streams are
 * left out: their duration is the client's session, counted by hub_open_streams instead.
 */
export function observeHttpRequests(request: Request, response: Response, next: NextFunction): void {
  const started = process.hrtime.bigint();
  response.once('finish', () => {
    if (String(response.getHeader('content-type') ?? '').startsWith('text/event-stream')) return;
    const route = (request as Request & { route?: { path?: unknown } }).route?.path;
    requestDuration.observe(
      {
        method: request.method,
        route: typeof route === 'string' ? route : 'unmatched',
        status_code: String(response.statusCode),
      },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
  });
  next();
}
