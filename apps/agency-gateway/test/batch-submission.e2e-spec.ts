import { randomUUID } from 'node:crypto';
import {
  alertBody,
  api,
  createAgency,
  expectEventually,
  inbox,
  queryDatabase,
  testEnvironment,
  TestAgency,
} from '@hub/testing';

const gateway = () => testEnvironment().gateway;

function postBatch(key: string, body: string, contentType = 'application/x-ndjson') {
  return api(gateway(), 'POST', '/v1/alerts/batch', { key, rawBody: body, headers: { 'content-type': contentType } });
}

describe('POST /v1/alerts/batch', () => {
  let sender: TestAgency;
  let recipient: TestAgency;

  beforeAll(async () => {
    [sender, recipient] = await Promise.all([createAgency('KZ'), createAgency('KG')]);
  });

  it('1,000 lines with one bad: 999 × 202 and one 400 in line order, replayed identically, each delivered once', async () => {
    const bad = 417;
    const lines = Array.from({ length: 1000 }, (_, i) => {
      const alert = alertBody([recipient.id], { headline: `Batch line ${i}` });
      if (i === bad) alert.tlp = 'PURPLE';
      return JSON.stringify({ idempotencyKey: `batch-${randomUUID()}`, alert });
    });
    const body = lines.join('\n') + '\n';
    const first = await postBatch(sender.key, body);
    expect(first.status).toBe(200);
    const results = first.body.results as any[];
    expect(results).toHaveLength(1000);
    results.forEach((result, i) => expect(result.index).toBe(i));
    expect(results.filter((r) => r.status === 202)).toHaveLength(999);
    expect(results[bad]).toEqual({
      index: bad,
      status: 400,
      error: {
        error: 'validation_failed',
        message: expect.any(String),
        details: [expect.objectContaining({ path: 'tlp' })],
      },
    });
    for (const r of results.filter((r) => r.status === 202))
      expect(r).toEqual({
        index: r.index,
        status: 202,
        alertId: expect.any(String),
        version: 1,
        messageId: expect.any(String),
        acceptedAt: expect.any(String),
      });

    const replay = await postBatch(sender.key, body);
    expect(replay.status).toBe(200);
    expect((replay.body.results as any[]).map((r) => (r.status === 202 ? r : r.status))).toEqual(
      results.map((r) => (r.status === 202 ? r : r.status)),
    );

    const accepted = new Set(results.filter((r) => r.status === 202).map((r) => r.alertId as string));
    const delivered = await expectEventually(
      async () => {
        const items = (await inbox(recipient.key)).filter((item) => accepted.has(item.alertId));
        return items.length >= 999 ? items : false;
      },
      { timeoutMs: 120_000, description: '999 deliveries' },
    );
    expect(new Set(delivered.map((item) => item.alertId)).size).toBe(999);
    expect(delivered).toHaveLength(999);
    const [{ alerts }] = await queryDatabase(`SELECT count(*)::int AS alerts FROM gateway.alerts WHERE sender = $1`, [
      sender.id,
    ]);
    expect(alerts).toBe(999);
  });

  it('each line follows the rules of POST /v1/alerts: reused key → 422, bad JSON → 400, unknown field → 400', async () => {
    const key = `k-${randomUUID()}`;
    const alert = alertBody([recipient.id]);
    const lines = [
      JSON.stringify({ idempotencyKey: key, alert }),
      JSON.stringify({ idempotencyKey: key, alert: { ...alert, headline: 'Another body, same key' } }),
      '{"idempotencyKey": "broken',
      JSON.stringify({ idempotencyKey: `k-${randomUUID()}`, alert, extra: 1 }),
      JSON.stringify({ alert }),
    ];
    const response = await postBatch(sender.key, lines.join('\r\n'));
    expect(response.status).toBe(200);
    const [ok, reused, broken, extra, keyless] = response.body.results;
    expect(ok.status).toBe(202);
    expect(reused).toMatchObject({ index: 1, status: 422, error: { error: 'idempotency_key_reused' } });
    expect(broken).toMatchObject({ index: 2, status: 400, error: { error: 'invalid_json' } });
    expect(extra).toMatchObject({ index: 3, status: 400, error: { details: [{ path: 'extra' }] } });
    expect(keyless).toMatchObject({ index: 4, status: 400, error: { details: [{ path: 'idempotencyKey' }] } });
    // The same key on POST /v1/alerts answers the same 202: one idempotency store.
    const single = await api(gateway(), 'POST', '/v1/alerts', {
      key: sender.key,
      body: alert,
      headers: { 'idempotency-key': key },
    });
    expect(single.status).toBe(202);
    expect(single.body.alertId).toBe(ok.alertId);
  });

  it('refuses the request as a whole only for its size, content type or key', async () => {
    const line = JSON.stringify({ idempotencyKey: randomUUID(), alert: alertBody([recipient.id]) });
    expect((await postBatch(sender.key, line, 'application/json')).status).toBe(415);
    const tooMany = await postBatch(sender.key, Array.from({ length: 1001 }, () => line).join('\n'));
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.details[0].path).toBe('body');
    expect((await postBatch('ahk_not-a-key', line)).status).toBe(401);
  });
});
