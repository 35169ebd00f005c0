import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Topic } from '@hub/contracts/topics';
import {
  alertBody,
  api,
  awaitDeliveries,
  createAgency,
  expectEventually,
  familyOf,
  parsePrometheusText,
  PrometheusExposition,
  restartService,
  samplesOf,
  submitAccepted,
  sumOf,
  testEnvironment,
  testKafka,
  uniqueContainerNumber,
} from '@hub/testing';
import { checkpoint, CONSUMED_WITHIN_MS, newAuditor } from '../apps/audit-log/test/audit-test-support';

/**
 * Operability on the real services (issue 25): GET /metrics in Prometheus text on every service, moving as alerts go
 * through; the bearer token; /health/live and /health/ready; OpenAPI on the node and the audit log.
 */
const env = testEnvironment();
const SERVICES = { 'agency-gateway': env.gateway, 'coordination-node': env.coordination, 'audit-log': env.audit };

async function scrape(base: string, token?: string): Promise<PrometheusExposition> {
  const response = await fetch(`${base}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

/** Scrapes until `ready` holds of the exposition, and returns it. */
function scrapeUntil(base: string, ready: (m: PrometheusExposition) => boolean, description: string) {
  return expectEventually(
    async () => {
      const exposition = await scrape(base);
      return ready(exposition) ? exposition : false;
    },
    { timeoutMs: CONSUMED_WITHIN_MS, intervalMs: 500, description },
  );
}

describe('GET /metrics', () => {
  it.each(Object.entries(SERVICES))(
    '%s exposes process and Node.js metrics labelled with the service',
    async (name, base) => {
      const metrics = await scrape(base);
      const cpu = samplesOf(metrics, 'hub_process_cpu_user_seconds_total');
      expect(cpu).toHaveLength(1);
      expect(cpu[0].labels.service).toBe(name);
      expect(cpu[0].value).toBeGreaterThan(0);
      expect(sumOf(metrics, 'hub_nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
      expect(metrics.types.get('hub_http_request_duration_seconds')).toBe('histogram');
      // Computed on scrape from the service's own outbox table.
      const schema = { 'agency-gateway': 'gateway', 'coordination-node': 'coordination', 'audit-log': 'audit' }[name]!;
      expect(samplesOf(metrics, 'hub_outbox_pending_rows', { schema })).toHaveLength(1);
      expect(samplesOf(metrics, 'hub_outbox_oldest_row_age_seconds', { schema })[0].value).toBeGreaterThanOrEqual(0);
    },
  );

  it('moves when alerts go through: requests, routing decisions, correlations, consumer batches, producer, audit log', async () => {
    const before = {
      gateway: await scrape(env.gateway),
      node: await scrape(env.coordination),
      audit: await scrape(env.audit),
    };
    const [tj, kg] = await Promise.all([createAgency('TJ'), createAgency('KG')]);
    const container = uniqueContainerNumber();
    const about = (recipient: string) =>
      alertBody([recipient], { subjects: [{ type: 'container', number: container }] });
    const first = await submitAccepted(tj.key, about(kg.id));
    const second = await submitAccepted(kg.key, about(tj.id));
    await awaitDeliveries(kg.key, first.alertId, (entries) => entries.length >= 1);
    await awaitDeliveries(tj.key, second.alertId, (entries) => entries.length >= 1);

    const moved = (after: PrometheusExposition, b: PrometheusExposition, name: string, labels = {}) =>
      sumOf(after, name, labels) - sumOf(b, name, labels);

    const submitted = { topic: Topic.AlertsSubmitted };
    // A batch is recorded once its handler returned, just after the correlation it found was counted.
    const node = await scrapeUntil(
      env.coordination,
      (m) =>
        moved(m, before.node, 'hub_correlations_found_total') >= 1 &&
        moved(m, before.node, 'hub_kafka_consumer_batch_size_sum', submitted) >= 2,
      'the correlation of the two alerts and both handled submissions counted',
    );
    expect(moved(node, before.node, 'hub_routing_decisions_total', { outcome: 'delivered' })).toBeGreaterThanOrEqual(2);
    expect(moved(node, before.node, 'hub_kafka_consumer_batch_size_count', submitted)).toBeGreaterThanOrEqual(1);
    const lag = samplesOf(node, 'hub_kafka_consumer_lag', submitted);
    expect(lag.length).toBeGreaterThanOrEqual(1);
    for (const partition of lag) expect(partition.value).toBeGreaterThanOrEqual(0);
    expect(samplesOf(node, 'hub_kafka_consumer_offset', submitted).length).toBeGreaterThanOrEqual(1);
    expect(
      moved(node, before.node, 'hub_kafka_producer_request_duration_seconds_count', {
        topic: Topic.AlertsRouted,
        result: 'ok',
      }),
    ).toBeGreaterThanOrEqual(1);

    const gateway = await scrape(env.gateway);
    const submissions = { method: 'POST', route: '/v1/alerts', status_code: '202' };
    expect(moved(gateway, before.gateway, 'hub_http_request_duration_seconds_count', submissions)).toBe(2);
    expect(samplesOf(gateway, 'hub_http_request_duration_seconds_bucket', { ...submissions, le: '+Inf' })).toHaveLength(
      1,
    );
    // Templates, never raw ids: the alert id of the sender's read is not a label value.
    await api(env.gateway, 'GET', `/v1/alerts/${first.alertId}`, { key: tj.key });
    const labels = (await scrape(env.gateway)).samples.map((s) => s.labels.route ?? '').join(' ');
    expect(labels).not.toContain(first.alertId);
    expect(labels).toContain('/v1/alerts/:');

    // The tree size is read on scrape and a reading serves the scrapes of one second (scrapeProbe), so it may trail the
    // in-memory counter by one scrape: wait for both.
    const audit = await scrapeUntil(
      env.audit,
      (m) =>
        moved(m, before.audit, 'hub_audit_entries_appended_total') >= 2 &&
        sumOf(m, 'hub_audit_tree_size') > sumOf(before.audit, 'hub_audit_tree_size'),
      'the audit facts of both alerts appended, and the tree grown',
    );
    expect(samplesOf(audit, 'hub_audit_tree_head_age_seconds')[0].value).toBeLessThan(600);
    expect(sumOf(audit, 'hub_audit_append_halted')).toBe(0);
    expect(audit.types.get('hub_audit_integrity_alarms_total')).toBe('counter');
  });

  it('reports the seconds since the last checkpoint signed for an auditor', async () => {
    const auditor = await newAuditor();
    const signedAt = Date.parse((await checkpoint(auditor.key)).timestamp);
    // The age of the checkpoint just signed, not of an earlier one: no older than the time since its signature (a
    // reading serves the scrapes of one second, so an earlier reading may answer first).
    const sinceSigned = () => (Date.now() - signedAt) / 1000;
    const audit = await scrapeUntil(
      env.audit,
      (m) => {
        const age = samplesOf(m, 'hub_audit_checkpoint_age_seconds');
        return age.length === 1 && age[0].value <= sinceSigned() + 1;
      },
      'the age of the checkpoint just signed',
    );
    const [age] = samplesOf(audit, 'hub_audit_checkpoint_age_seconds');
    expect(age.value).toBeGreaterThanOrEqual(0);
    expect(age.value).toBeLessThanOrEqual(sinceSigned() + 1);
  });

  it('counts a dead-lettered record under the topic it came from', async () => {
    const before = sumOf(await scrape(env.coordination), 'hub_kafka_dead_lettered_total', {
      topic: Topic.AlertsSubmitted,
    });
    const producer = testKafka('metrics-e2e').producer();
    await producer.connect();
    try {
      await producer.send({
        topic: Topic.AlertsSubmitted,
        messages: [{ key: randomUUID(), value: JSON.stringify({ notASubmission: true }) }],
      });
    } finally {
      await producer.disconnect();
    }
    await scrapeUntil(
      env.coordination,
      (m) => sumOf(m, 'hub_kafka_dead_lettered_total', { topic: Topic.AlertsSubmitted }) >= before + 1,
      'the invalid submission counted as dead-lettered',
    );
  });
});

describe('docker/monitoring', () => {
  const monitoring = path.join(__dirname, '..', 'docker', 'monitoring');

  it('alert rules and dashboard query only metrics the services expose', async () => {
    const exposed = new Map<string, string>();
    for (const base of Object.values(SERVICES))
      for (const [name, type] of (await scrape(base)).types) exposed.set(name, type);
    const rules = fs.readFileSync(path.join(monitoring, 'alerts.yml'), 'utf8');
    const dashboard = JSON.parse(
      fs.readFileSync(path.join(monitoring, 'grafana', 'dashboards', 'alert-exchange-hub.json'), 'utf8'),
    ) as { panels: { targets?: { expr: string }[] }[] };
    const queries = [rules, ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((t) => t.expr))];
    const named = new Set(queries.flatMap((query) => query.match(/\bhub_[a-z0-9_]+/g) ?? []));
    expect(named.size).toBeGreaterThan(15);
    expect([...named].filter((name) => !familyOf(name, exposed))).toEqual([]);
  });
});

describe('health for orchestrators', () => {
  it.each(Object.entries(SERVICES))('%s answers /health/live and /health/ready with 200', async (_name, base) => {
    const live = await api(base, 'GET', '/health/live');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await api(base, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info.postgres.status).toBe('up');
    expect(ready.body.info.kafka.status).toBe('up');
    expect((await api(base, 'GET', '/health')).status).toBe(200);
  });
});

describe('OpenAPI on the node and the audit log', () => {
  it.each([
    ['coordination-node', env.coordination, ['/v1/feed', '/v1/feed/stream', '/v1/correlations', '/v1/stats']],
    ['audit-log', env.audit, ['/v1/audit/entries', '/v1/audit/checkpoint', '/v1/audit/proofs/inclusion']],
  ])('%s lists its routes at /docs-json and serves the UI at /docs', async (_name, base, routes) => {
    const document = await api(base, 'GET', '/docs-json');
    expect(document.status).toBe(200);
    expect(document.body.openapi).toMatch(/^3\./);
    expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(routes));
    expect(Object.keys(document.body.paths)).not.toContain('/metrics');
    const ui = await fetch(`${base}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });
});

describe('METRICS_TOKEN', () => {
  const TOKEN = `metrics-token-${randomUUID()}`;

  afterAll(async () => {
    delete process.env.METRICS_TOKEN;
    await restartService('audit-log');
  }, 120_000);

  it('makes GET /metrics answer 401 without the bearer token or with another, and 200 with it', async () => {
    process.env.METRICS_TOKEN = TOKEN;
    await restartService('audit-log');
    const none = await api(env.audit, 'GET', '/metrics');
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('unauthorized');
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await api(env.audit, 'GET', '/metrics', { key: `${TOKEN}-not` })).status).toBe(401);
    const metrics = await scrape(env.audit, TOKEN);
    expect(sumOf(metrics, 'hub_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    // Health stays open to orchestrators.
    expect((await api(env.audit, 'GET', '/health/live')).status).toBe(200);
  }, 120_000);
});
