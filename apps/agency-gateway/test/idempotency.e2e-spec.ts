import { randomUUID } from 'node:crypto';
import { alertBody, awaitDeliveries, createAgency, inbox, queryDatabase, submitAlert, TestAgency } from '@hub/testing';

describe('Idempotency-Key on POST /v1/alerts', () => {
  let sender: TestAgency;
  let a: TestAgency;
  let b: TestAgency;

  beforeAll(async () => {
    [sender, a, b] = await Promise.all([createAgency('UZ'), createAgency('TJ'), createAgency('KG')]);
  });

  it('is required', async () => {
    const response = await submitAlert(sender.key, alertBody([a.id]), '');
    expect(response.status).toBe(400);
    expect(response.body.details[0].path).toBe('Idempotency-Key');
    const tooLong = await submitAlert(sender.key, alertBody([a.id]), 'k'.repeat(129));
    expect(tooLong.status).toBe(400);
  });

  it('a replay with the same body returns the same 202 and creates nothing new; another body gets 422', async () => {
    const key = randomUUID();
    const body = alertBody([a.id, b.id]);
    const first = await submitAlert(sender.key, body, key);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({
      alertId: expect.any(String),
      version: 1,
      messageId: expect.any(String),
      acceptedAt: expect.any(String),
    });
    const replay = await submitAlert(sender.key, body, key);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(first.body);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect((await submitAlert(sender.key, reordered, key)).body).toEqual(first.body);
    const other = await submitAlert(sender.key, { ...body, headline: 'Something else' }, key);
    expect(other.status).toBe(422);
    expect(other.body.error).toBe('idempotency_key_reused');

    await awaitDeliveries(a.key, first.body.alertId, (entries) => entries.length === 1);
    const [{ alerts }] = await queryDatabase(`SELECT count(*)::int AS alerts FROM gateway.alerts WHERE sender = $1`, [
      sender.id,
    ]);
    expect(alerts).toBe(1);
  });

  it('concurrent duplicates give exactly one alert and one delivery per recipient', async () => {
    const key = randomUUID();
    const body = alertBody([a.id, b.id]);
    const responses = await Promise.all(Array.from({ length: 12 }, () => submitAlert(sender.key, body, key)));
    const accepted = responses.filter((r) => r.status === 202);
    const inFlight = responses.filter((r) => r.status === 409);
    expect(accepted.length + inFlight.length).toBe(12);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    for (const r of inFlight) expect(r.body.error).toBe('request_in_flight');
    const alertIds = new Set(accepted.map((r) => r.body.alertId));
    expect(alertIds.size).toBe(1);
    const [alertId] = [...alertIds];

    for (const recipient of [a, b]) await awaitDeliveries(recipient.key, alertId, (entries) => entries.length >= 1);
    const [{ copies }] = await queryDatabase(
      `SELECT count(*)::int AS copies FROM gateway.idempotency_keys WHERE sender = $1 AND idempotency_key = $2`,
      [sender.id, key],
    );
    expect(copies).toBe(1);
    const [{ versions }] = await queryDatabase(
      `SELECT count(*)::int AS versions FROM gateway.alert_versions WHERE alert_id = $1`,
      [alertId],
    );
    expect(versions).toBe(1);
    for (const recipient of [a, b])
      expect((await inbox(recipient.key)).filter((e) => e.alertId === alertId)).toHaveLength(1);
  });

  it('keys are per sender: the same key from another agency is a different submission', async () => {
    const key = randomUUID();
    const mine = await submitAlert(sender.key, alertBody([a.id]), key);
    const theirs = await submitAlert(b.key, alertBody([a.id]), key);
    expect(mine.status).toBe(202);
    expect(theirs.status).toBe(202);
    expect(theirs.body.alertId).not.toBe(mine.body.alertId);
  });
});
