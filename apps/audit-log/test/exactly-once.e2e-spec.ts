import { randomUUID } from 'node:crypto';
import { Producer } from 'kafkajs';
import { AuditEvent, AuditEventType } from '@hub/contracts/audit-event';
import { AUDIT_TOPIC_OF, HubService } from '@hub/contracts/topics';
import { verifyLogOverHttp } from '@hub/merkle';
import { expectEventually, restartService, testKafka } from '@hub/testing';
import { allEntries, asSuperuser, auditGet, CONSUMED_WITHIN_MS, env, newAuditor } from './audit-test-support';

const run = randomUUID().slice(0, 8);

function auditEvent(eventId: string, extra: Record<string, unknown> = {}): AuditEvent {
  return {
    eventId,
    type: AuditEventType.MessageDeadLettered,
    at: new Date().toISOString(),
    actor: { service: HubService.AgencyGateway },
    details: { run, ...extra },
  };
}

async function entriesOf(eventIdPrefix: string): Promise<Array<{ event_id: string; seq: number }>> {
  return asSuperuser(
    async (db) =>
      (
        await db.query(
          `SELECT event_id, seq::int AS seq FROM audit.entries WHERE event_id LIKE $1 || '%' ORDER BY seq`,
          [eventIdPrefix],
        )
      ).rows,
  );
}

/** Events written the way the gateway writes them: with its own principal, on its own audit topic. */
describe('every audit event is appended exactly once', () => {
  let producer: Producer;

  beforeAll(async () => {
    producer = testKafka('exactly-once', HubService.AgencyGateway).producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
  });

  const publish = (events: Array<{ key: string; value: unknown }>) =>
    producer.send({
      topic: AUDIT_TOPIC_OF[HubService.AgencyGateway],
      acks: -1,
      messages: events.map(({ key, value }) => ({ key, value: JSON.stringify(value) })),
    });

  it('appends a redelivered event once, even when its JSON arrives in another key order', async () => {
    const eventId = `redelivered-${run}`;
    const event = auditEvent(eventId);
    const reordered = Object.fromEntries(Object.entries(event).reverse());
    const marker = `after-redelivery-${run}`;
    // One key, so one partition: once the marker is in the log, all three copies have been handled.
    await publish([{ key: eventId, value: event }]);
    await publish([{ key: eventId, value: event }]);
    await publish([
      { key: eventId, value: reordered },
      { key: eventId, value: auditEvent(marker) },
    ]);
    await expectEventually(async () => (await entriesOf(marker)).length === 1, {
      timeoutMs: CONSUMED_WITHIN_MS,
      description: 'the marker after the copies',
    });
    expect((await entriesOf(eventId)).map((row) => row.event_id)).toEqual([eventId]);
  });

  it('refuses other content under a recorded eventId (whoever wrote first keeps it) and records an integrity alarm, once', async () => {
    const eventId = `forged-${run}`;
    const genuine = auditEvent(eventId);
    const forged = { ...genuine, actor: { agencyId: 'TJ-DCA' }, details: { run, forged: true } };
    const marker = `after-forgery-${run}`;
    await publish([{ key: eventId, value: genuine }]);
    await publish([{ key: eventId, value: forged }]);
    await publish([
      { key: eventId, value: forged },
      { key: eventId, value: auditEvent(marker) },
    ]);
    await expectEventually(async () => (await entriesOf(marker)).length === 1, {
      timeoutMs: CONSUMED_WITHIN_MS,
      description: 'the marker after the forgeries',
    });
    const [stored] = await asSuperuser(
      async (db) => (await db.query(`SELECT entry FROM audit.entries WHERE event_id = $1`, [eventId])).rows,
    );
    expect(JSON.parse(stored.entry).actor).toEqual({ service: HubService.AgencyGateway });
    const alarms = await asSuperuser(
      async (db) =>
        (
          await db.query(
            `SELECT entry FROM audit.entries WHERE type = 'audit.integrity-alarm' AND entry::jsonb -> 'details' ->> 'eventId' = $1`,
            [eventId],
          )
        ).rows,
    );
    expect(alarms).toHaveLength(1);
    expect(JSON.parse(alarms[0].entry)).toMatchObject({
      actor: { service: 'audit-log' },
      producer: 'audit-log',
      reason: 'eventId already recorded with other content',
      details: { eventId, offeredActor: { agencyId: 'TJ-DCA' }, offeredBy: HubService.AgencyGateway },
    });
  });

  it('records the producing service from the topic the event came on, not from the event', async () => {
    const stated = `stated-by-topic-${run}`;
    // An agency's act: the event names the key, not the service that vouches for it; the topic does.
    await publish([{ key: stated, value: { ...auditEvent(stated), actor: { agencyId: 'TJ-DCA', role: 'agency' } } }]);
    await expectEventually(async () => (await entriesOf(stated)).length === 1, {
      timeoutMs: CONSUMED_WITHIN_MS,
      description: 'the event in the log',
    });
    const [stored] = await asSuperuser(
      async (db) => (await db.query(`SELECT entry FROM audit.entries WHERE event_id = $1`, [stated])).rows,
    );
    expect(JSON.parse(stored.entry)).toMatchObject({
      actor: { agencyId: 'TJ-DCA', role: 'agency' },
      producer: HubService.AgencyGateway,
    });
    const auditor = await newAuditor();
    const items = await allEntries(auditor.key, {
      type: AuditEventType.MessageDeadLettered,
      from: new Date(Date.now() - 10 * 60_000).toISOString(),
    });
    expect(items.find((item) => (item.entry as { eventId: string }).eventId === stated)).toMatchObject({
      producer: HubService.AgencyGateway,
    });
  });

  it("refuses an event whose actor.service names another service than the topic's writer, and records an integrity alarm, once", async () => {
    const eventId = `impersonation-${run}`;
    // The gateway's principal writes on its own topic (the only one it may) a fact that claims to be the node's.
    const impersonating = { ...auditEvent(eventId), actor: { service: HubService.CoordinationNode } };
    const marker = `after-impersonation-${run}`;
    await publish([{ key: eventId, value: impersonating }]);
    await publish([
      { key: eventId, value: impersonating },
      { key: eventId, value: auditEvent(marker) },
    ]);
    await expectEventually(async () => (await entriesOf(marker)).length === 1, {
      timeoutMs: CONSUMED_WITHIN_MS,
      description: 'the marker after the claims',
    });
    expect(await entriesOf(eventId)).toEqual([]);
    const alarms = await asSuperuser(
      async (db) =>
        (
          await db.query(
            `SELECT entry FROM audit.entries WHERE type = 'audit.integrity-alarm' AND entry::jsonb -> 'details' ->> 'eventId' = $1`,
            [eventId],
          )
        ).rows,
    );
    expect(alarms).toHaveLength(1);
    expect(JSON.parse(alarms[0].entry)).toMatchObject({
      actor: { service: HubService.AuditLog },
      reason: 'actor.service is not the service that wrote the event',
      details: { eventId, offeredActor: { service: HubService.CoordinationNode }, offeredBy: HubService.AgencyGateway },
    });
    // The genuine fact, when its real producer writes it later, still gets the id.
    const node = testKafka('exactly-once-node', HubService.CoordinationNode).producer();
    await node.connect();
    try {
      await node.send({
        topic: AUDIT_TOPIC_OF[HubService.CoordinationNode],
        acks: -1,
        messages: [{ key: eventId, value: JSON.stringify(impersonating) }],
      });
    } finally {
      await node.disconnect();
    }
    await expectEventually(async () => (await entriesOf(eventId)).length === 1, {
      timeoutMs: CONSUMED_WITHIN_MS,
      description: 'the genuine fact in the log',
    });
    const [genuine] = await asSuperuser(
      async (db) => (await db.query(`SELECT entry FROM audit.entries WHERE event_id = $1`, [eventId])).rows,
    );
    expect(JSON.parse(genuine.entry)).toMatchObject({
      actor: { service: HubService.CoordinationNode },
      producer: HubService.CoordinationNode,
    });
  });

  it('loses and duplicates nothing when audit-log is killed mid-stream', async () => {
    const prefix = `stream-${run}-`;
    const total = 600;
    const events = Array.from({ length: total }, (_, i) => ({
      key: `key-${i % 24}`,
      value: auditEvent(`${prefix}${String(i).padStart(4, '0')}`, { i }),
    }));
    const publishRange = async (from: number, to: number) => {
      for (let start = from; start < to; start += 25) {
        const batch = events.slice(start, Math.min(start + 25, to));
        await publish(batch);
        // Some batches go out twice, as a producer retrying after a lost acknowledgement would send them.
        if (start % 100 === 0) await publish(batch);
      }
    };
    // The first half streams in; once the log is busy appending it, the process is killed outright (no
    // graceful shutdown: transactions in flight are lost, offsets not yet committed are redelivered), and the
    // second half arrives while it is down and restarting.
    const firstHalf = publishRange(0, total / 2);
    await expectEventually(async () => (await entriesOf(prefix)).length >= 50, {
      timeoutMs: CONSUMED_WITHIN_MS,
      description: 'the stream under way',
    });
    const restarting = restartService('audit-log', 'SIGKILL');
    await firstHalf;
    await publishRange(total / 2, total);
    await restarting;

    const rows = await expectEventually(
      async () => {
        const found = await entriesOf(prefix);
        return found.length >= total ? found : false;
      },
      { timeoutMs: 120000, description: `all ${total} events in the log` },
    );
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((row) => row.event_id)).size).toBe(total);
    // One key keeps its events in order: within a key, log order is publishing order.
    const ofKey = rows.filter((row) => Number(row.event_id.slice(prefix.length)) % 24 === 5).map((row) => row.event_id);
    expect(ofKey).toEqual([...ofKey].sort());

    const [{ count, next }] = await asSuperuser(
      async (db) =>
        (await db.query(`SELECT count(*)::int AS count, (max(seq) + 1)::int AS next FROM audit.entries`)).rows,
    );
    expect(count).toBe(next);

    const auditor = await newAuditor();
    const publicKeyPem = (await auditGet(auditor.key, '/v1/audit/public-key')).body.publicKeyPem;
    const verified = await verifyLogOverHttp({ baseUrl: env.audit, apiKey: auditor.key, publicKeyPem });
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);
  }, 240000);
});
