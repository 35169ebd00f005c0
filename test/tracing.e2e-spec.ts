import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { Topic } from '@hub/contracts/topics';
import {
  alertBody,
  api,
  AppName,
  awaitDeliveries,
  createAgency,
  expectEventually,
  restartService,
  testEnvironment,
} from '@hub/testing';

/**
 * OpenTelemetry tracing on the real services (issue 25): a local OTLP/HTTP receiver (http/json) collects the spans
 * the three services export, and one alert submitted with a W3C traceparent is one trace across the Kafka hops.
 */
const env = testEnvironment();
const APPS: AppName[] = ['agency-gateway', 'coordination-node', 'audit-log'];
const OTEL_VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_BSP_SCHEDULE_DELAY'];

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

/** OTLP span kinds as numbers in OTLP/JSON. */
const SERVER = 2;
const CONSUMER = 5;

const received: ReceivedSpan[] = [];
const receiver = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    if (request.method === 'POST' && request.url === '/v1/traces') {
      expect(request.headers['content-type']).toMatch(/^application\/json/);
      received.push(...spansOf(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});

/** The spans of an OTLP/JSON ExportTraceServiceRequest, each with its resource's service.name. */
function spansOf(body: any): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of body.resourceSpans ?? []) {
    const attribute = (resourceSpans.resource?.attributes ?? []).find((a: any) => a.key === 'service.name');
    for (const scope of resourceSpans.scopeSpans ?? [])
      for (const span of scope.spans ?? [])
        spans.push({
          service: attribute?.value?.stringValue,
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId || undefined,
          name: span.name,
          kind: span.kind,
          attributes: Object.fromEntries(
            (span.attributes ?? []).map((a: any) => [a.key, Object.values(a.value ?? {})[0]]),
          ),
        });
  }
  return spans;
}

const restartAll = () => Promise.all(APPS.map((app) => restartService(app)));

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
  process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
  process.env.OTEL_BSP_SCHEDULE_DELAY = '200';
  await restartAll();
}, 180_000);

afterAll(async () => {
  for (const variable of OTEL_VARIABLES) delete process.env[variable];
  await restartAll();
  await new Promise((resolve) => receiver.close(resolve));
}, 180_000);

it('continues the traceparent of POST /v1/alerts through the node, back to the gateway and into the audit log', async () => {
  const [sender, recipient] = await Promise.all([createAgency('TJ'), createAgency('KG')]);
  const traceId = randomBytes(16).toString('hex');
  const callerSpanId = randomBytes(8).toString('hex');
  const submitted = await api(env.gateway, 'POST', '/v1/alerts', {
    key: sender.key,
    body: alertBody([recipient.id]),
    headers: { 'idempotency-key': randomUUID(), traceparent: `00-${traceId}-${callerSpanId}-01` },
  });
  expect(submitted.status).toBe(202);
  await awaitDeliveries(recipient.key, submitted.body.alertId, (entries) => entries.length >= 1);

  const ofTrace = () => received.filter((span) => span.traceId === traceId);
  const consumedTopics = (service: string) =>
    ofTrace()
      .filter((span) => span.service === service && span.kind === CONSUMER)
      .map((span) => span.attributes['messaging.destination.name']);
  // Spans are exported in batches, each service on its own schedule: wait for every hop asserted below.
  const expectedHops: Record<AppName, string[]> = {
    'coordination-node': [Topic.AlertsSubmitted],
    'agency-gateway': [Topic.AlertsRouted],
    'audit-log': [Topic.AuditEventsFromGateway, Topic.AuditEventsFromCoordination],
  };
  await expectEventually(
    () => APPS.every((app) => expectedHops[app].every((topic) => consumedTopics(app).includes(topic))),
    { timeoutMs: 60_000, description: `consumer spans of trace ${traceId}: ${JSON.stringify(expectedHops)}` },
  );

  const spans = ofTrace();
  // The gateway's request span continues the caller's span.
  const request = spans.find((span) => span.service === 'agency-gateway' && span.kind === SERVER);
  expect(request).toMatchObject({ name: 'POST /v1/alerts', parentSpanId: callerSpanId });
  expect(request!.attributes['http.response.status_code']).toBe(202);
  // Every consumer span follows the messaging conventions and hangs off a span of the same trace.
  const ids = new Set(spans.map((span) => span.spanId));
  for (const span of spans.filter((s) => s.kind === CONSUMER)) {
    expect(span.attributes['messaging.system']).toBe('kafka');
    expect(span.name).toBe(`process ${span.attributes['messaging.destination.name']}`);
    expect(ids.has(span.parentSpanId!)).toBe(true);
  }
  // The node consumed what the gateway published, the gateway what the node routed, the audit log both's facts.
  const consumed = (service: string) =>
    spans
      .filter((s) => s.service === service && s.kind === CONSUMER)
      .map((s) => s.attributes['messaging.destination.name']);
  expect(consumed('coordination-node')).toContain(Topic.AlertsSubmitted);
  expect(consumed('agency-gateway')).toContain(Topic.AlertsRouted);
  expect(consumed('audit-log')).toEqual(
    expect.arrayContaining([Topic.AuditEventsFromGateway, Topic.AuditEventsFromCoordination]),
  );
  // The work itself, inside those spans.
  const named = (service: string) => spans.filter((s) => s.service === service).map((s) => s.name);
  expect(named('coordination-node')).toEqual(expect.arrayContaining(['route alerts', 'correlate alerts']));
  expect(named('agency-gateway')).toContain('store inbox deliveries');
  expect(named('audit-log')).toContain('append audit events');
  // Log lines written inside the trace carry its ids (the node's "routed" line, inside its routing span).
  const nodeLog = path.join(__dirname, '..', '.hub', 'test-logs', 'coordination-node.log');
  const routed = await expectEventually(
    () =>
      fs
        .readFileSync(nodeLog, 'utf8')
        .split('\n')
        .filter((line) => line.includes(`"trace_id":"${traceId}"`))
        .map((line) => JSON.parse(line))
        .find((line) => line.msg === 'routed'),
    { timeoutMs: 10_000, description: `a "routed" log line of trace ${traceId}` },
  );
  expect(routed.alertId).toBe(submitted.body.alertId);
  expect(ids.has(routed.span_id)).toBe(true);
}, 120_000);

it('honours an unsampled traceparent: nothing of that alert is exported, by any service', async () => {
  // Parent-based sampling by default: a traceparent with the sampled flag off is honoured down the line.
  const [sender, recipient] = await Promise.all([createAgency('TJ'), createAgency('KG')]);
  const traceId = randomBytes(16).toString('hex');
  const submitted = await api(env.gateway, 'POST', '/v1/alerts', {
    key: sender.key,
    body: alertBody([recipient.id]),
    headers: { 'idempotency-key': randomUUID(), traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-00` },
  });
  expect(submitted.status).toBe(202);
  await awaitDeliveries(recipient.key, submitted.body.alertId, (entries) => entries.length >= 1);
  // A sampled alert sent after it is exported in full; by then the unsampled one would have been too.
  const marker = randomBytes(16).toString('hex');
  const second = await api(env.gateway, 'POST', '/v1/alerts', {
    key: sender.key,
    body: alertBody([recipient.id]),
    headers: { 'idempotency-key': randomUUID(), traceparent: `00-${marker}-${randomBytes(8).toString('hex')}-01` },
  });
  expect(second.status).toBe(202);
  await expectEventually(
    () => APPS.every((app) => received.some((s) => s.traceId === marker && s.service === app && s.kind === CONSUMER)),
    { timeoutMs: 30_000, description: 'the sampled alert exported' },
  );
  expect(received.filter((span) => span.traceId === traceId)).toEqual([]);
}, 120_000);
