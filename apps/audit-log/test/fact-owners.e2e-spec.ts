import { randomUUID } from 'node:crypto';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AUDIT_TOPIC_OF, HubService } from '@hub/contracts/topics';
import { createAgency, expectEventually, testKafka, TestAgency } from '@hub/testing';
import { asSuperuser, auditGet, Auditor, CONSUMED_WITHIN_MS, newAuditor, seqOfEvent } from './audit-test-support';

/** Writes `events` on `service`'s own audit topic with its own principal: what that service, compromised, can do. */
async function publishAs(service: HubService, key: string, events: object[]): Promise<void> {
  const producer = testKafka('fact-owners', service).producer();
  await producer.connect();
  try {
    await producer.send({
      topic: AUDIT_TOPIC_OF[service],
      acks: -1,
      messages: events.map((event) => ({ key, value: JSON.stringify(event) })),
    });
  } finally {
    await producer.disconnect();
  }
}

async function alarmsAbout(eventId: string): Promise<Record<string, any>[]> {
  return asSuperuser(async (db) => {
    const { rows } = await db.query(
      `SELECT entry FROM audit.entries WHERE type = 'audit.integrity-alarm' AND entry::jsonb -> 'details' ->> 'eventId' = $1`,
      [eventId],
    );
    return rows.map((row) => JSON.parse(row.entry));
  });
}

describe('a fact is taken only from the service that owns its type (FACT_OWNERS)', () => {
  let agency: TestAgency;
  let auditor: Auditor;

  beforeAll(async () => {
    [agency, auditor] = await Promise.all([createAgency('KG'), newAuditor()]);
  });

  it('refuses a routing decision written on the gateway’s audit topic: no entitlement in the visibility proofs, an integrity alarm in the log', async () => {
    const alertId = randomUUID();
    const forged = {
      eventId: `routing:${randomUUID()}`,
      type: AuditEventType.RoutingDecided,
      at: new Date().toISOString(),
      actor: { service: HubService.CoordinationNode },
      alertId,
      version: 1,
      details: { delivered: [{ recipient: agency.id, reason: 'ADDRESSED', deliveryId: randomUUID() }], withheld: [] },
    };
    // A fact the gateway may state, on the same key (so the same partition): once it is in the log, the forgery
    // before it has been handled.
    const marker = {
      eventId: `marker:${randomUUID()}`,
      type: AuditEventType.MessageDeadLettered,
      at: new Date().toISOString(),
      actor: { service: HubService.AgencyGateway },
      alertId,
      details: {},
    };
    await publishAs(HubService.AgencyGateway, alertId, [forged, marker]);
    await seqOfEvent(marker.eventId);

    const at = new Date().toISOString();
    const answer = await auditGet(auditor.key, `/v1/audit/visibility?agency=${agency.id}&at=${at}`);
    expect(answer.status).toBe(200);
    expect(answer.body.entitled.filter((item: { alertId: string }) => item.alertId === alertId)).toEqual([]);
    expect(
      await asSuperuser(
        async (db) => (await db.query(`SELECT 1 FROM audit.entries WHERE event_id = $1`, [forged.eventId])).rowCount,
      ),
    ).toBe(0);
    const alarms = await alarmsAbout(forged.eventId);
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({
      actor: { service: HubService.AuditLog },
      producer: HubService.AuditLog,
      alertId,
      reason: 'the service that wrote the event does not own its type',
      details: {
        eventId: forged.eventId,
        offeredType: AuditEventType.RoutingDecided,
        offeredBy: HubService.AgencyGateway,
      },
    });

    // The forgery did not take the eventId: the node, which owns routing decisions, still can state it.
    await publishAs(HubService.CoordinationNode, alertId, [forged]);
    await seqOfEvent(forged.eventId);
    await expectEventually(
      async () => {
        const now = new Date().toISOString();
        const body = (await auditGet(auditor.key, `/v1/audit/visibility?agency=${agency.id}&at=${now}`)).body;
        return body.entitled.some((item: { alertId: string }) => item.alertId === alertId);
      },
      { timeoutMs: CONSUMED_WITHIN_MS, description: 'the genuine routing decision proving the entitlement' },
    );
  });

  it('refuses an integrity alarm published by a service: only the log raises them', async () => {
    const alertId = randomUUID();
    const fakeAlarm = {
      eventId: `integrity-alarm:${randomUUID()}`,
      type: AuditEventType.IntegrityAlarm,
      at: new Date().toISOString(),
      actor: { service: HubService.CoordinationNode },
      alertId,
      details: {},
    };
    const marker = { ...fakeAlarm, eventId: `marker:${randomUUID()}`, type: AuditEventType.MessageDeadLettered };
    await publishAs(HubService.CoordinationNode, alertId, [fakeAlarm, marker]);
    await seqOfEvent(marker.eventId);
    expect(
      await asSuperuser(
        async (db) => (await db.query(`SELECT 1 FROM audit.entries WHERE event_id = $1`, [fakeAlarm.eventId])).rowCount,
      ),
    ).toBe(0);
    expect(await alarmsAbout(fakeAlarm.eventId)).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ offeredBy: HubService.CoordinationNode }) }),
    ]);
  });
});
