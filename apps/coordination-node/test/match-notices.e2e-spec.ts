import { api, expectEventually, inbox, queryDatabase, readServerSentEvents } from '@hub/testing';
import { allEntries, newAuditor } from '../../audit-log/test/audit-test-support';
import {
  alertBody,
  analystKey,
  awaitIndexed,
  correlationsOf,
  createAgency,
  env,
  submit,
  TestAgency,
  uniqueContainer,
} from './monitoring-fixtures';

/** The match notices in an agency's inbox about one of its alerts. */
async function noticesAbout(key: string, alertId: string) {
  return (await inbox(key)).filter((item: any) => item.kind === 'match' && item.alertId === alertId) as any[];
}

async function awaitNotice(key: string, alertId: string) {
  const [notice] = await expectEventually(
    async () => {
      const found = await noticesAbout(key, alertId);
      return found.length > 0 ? found : false;
    },
    { timeoutMs: 60000, description: `match notice about ${alertId}` },
  );
  return notice;
}

/** Written with spaces and in lower case, as an officer might: correlation must still match it. */
const asWritten = (container: string) =>
  `${container.slice(0, 4).toLowerCase()} ${container.slice(4, 10)}-${container.slice(10)}`;

describe('match notices reach the owners (inbox item kind "match")', () => {
  let kz: TestAgency;
  let tj: TestAgency;
  let uz: TestAgency;
  let analyst: string;

  beforeAll(async () => {
    [kz, tj, uz, analyst] = await Promise.all([
      createAgency('KZ'),
      createAgency('TJ'),
      createAgency('UZ'),
      analystKey(),
    ]);
  });

  it('tells both owners, once each, live on the stream, with the text of the correlation record, audited as a delivery', async () => {
    const container = uniqueContainer();
    const fromKz = await submit(kz.key, alertBody([tj.id], { subjects: [{ type: 'container', number: container }] }));
    await awaitIndexed(fromKz.alertId);
    const head = (await inbox(kz.key)).at(-1)?.cursor ?? '0';
    const streamed = readServerSentEvents(`${env.gateway}/v1/inbox/stream?after=${head}`, kz.key, {
      eventName: 'delivery',
      enough: (events) => events.some((e) => e.data.kind === 'match' && e.data.alertId === fromKz.alertId),
    });
    const fromTj = await submit(
      tj.key,
      alertBody([kz.id], { subjects: [{ type: 'container', number: asWritten(container) }] }),
    );

    const [toKz, toTj] = await Promise.all([awaitNotice(kz.key, fromKz.alertId), awaitNotice(tj.key, fromTj.alertId)]);
    const [correlation] = await correlationsOf(analyst, fromTj.alertId);
    const recordText = (agencyId: string) => correlation.notices.find((n: any) => n.agencyId === agencyId).text;
    // Both hold each other's alert: each is told which alert matched, on which container.
    expect(toKz).toMatchObject({ kind: 'match', alert: null, sender: kz.id, version: 1 });
    expect(toKz.match).toMatchObject({
      correlationId: correlation.correlationId,
      otherAgencyId: tj.id,
      otherAlertIds: [fromTj.alertId],
      restricted: false,
    });
    expect(toKz.match.text).toBe(recordText(kz.id));
    expect(toKz.match.text).toBe(
      `Your alert ${fromKz.alertId} matches alert ${fromTj.alertId} of ${tj.id} on container ${container}.`,
    );
    expect(toTj.match).toMatchObject({
      otherAgencyId: kz.id,
      otherAlertIds: [fromKz.alertId],
      restricted: false,
      text: recordText(tj.id),
    });

    const events = await streamed;
    expect(events.find((e) => e.data.kind === 'match')!.data.match.text).toBe(toKz.match.text);

    // Exactly once, whatever Kafka redelivers: one row per deterministic notice id, one delivery fact in the audit log.
    const rows = await queryDatabase(`SELECT count(*)::int AS n FROM gateway.inbox WHERE delivery_id = $1`, [
      toKz.deliveryId,
    ]);
    expect(rows[0].n).toBe(1);
    const auditor = await newAuditor();
    const delivered = await expectEventually(
      async () => {
        const entries = (await allEntries(auditor.key, { alertId: fromKz.alertId, type: 'alert.delivered' })).filter(
          (e: any) => e.details?.kind === 'match',
        );
        return entries.length > 0 ? entries : false;
      },
      { timeoutMs: 90000, description: 'the match notice audited as delivered' },
    );
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({
      recipient: kz.id,
      details: { deliveryId: toKz.deliveryId, kind: 'match', correlationId: correlation.correlationId },
    });
  });

  it('tells an owner who cannot see the other alert only whom to contact, nothing of that alert', async () => {
    const container = uniqueContainer();
    // Both report to TJ; KZ and UZ never receive each other's alert.
    const fromKz = await submit(kz.key, alertBody([tj.id], { subjects: [{ type: 'container', number: container }] }));
    await awaitIndexed(fromKz.alertId);
    const fromUz = await submit(uz.key, alertBody([tj.id], { subjects: [{ type: 'container', number: container }] }));

    const toKz = await awaitNotice(kz.key, fromKz.alertId);
    const toUz = await awaitNotice(uz.key, fromUz.alertId);
    expect(toKz.match).toMatchObject({ otherAgencyId: uz.id, otherAlertIds: [], restricted: true });
    expect(toKz.match.text).toBe(
      `Your alert ${fromKz.alertId} matches an alert of ${uz.id} that is not shared with you. Contact ${uz.id}.`,
    );
    expect(toUz.match.text).toBe(
      `Your alert ${fromUz.alertId} matches an alert of ${kz.id} that is not shared with you. Contact ${kz.id}.`,
    );
    for (const [notice, other] of [
      [toKz, fromUz.alertId],
      [toUz, fromKz.alertId],
    ] as const) {
      expect(JSON.stringify(notice)).not.toContain(other);
      expect(JSON.stringify(notice)).not.toContain(container);
    }
    // A notice is not a delivery of the owner's alert: the owner cannot acknowledge it, and the sender view lists no such recipient.
    const ack = await api(env.gateway, 'POST', `/v1/alerts/${fromKz.alertId}/ack`, {
      key: kz.key,
      body: { version: 1, status: 'received' },
    });
    expect(ack.status).toBe(404);
    const own = await api(env.gateway, 'GET', `/v1/alerts/${fromKz.alertId}`, { key: kz.key });
    expect(own.body.recipients.map((r: any) => r.agencyId)).toEqual([tj.id]);
    expect(await noticesAbout(kz.key, fromKz.alertId)).toHaveLength(1);
  });
});
