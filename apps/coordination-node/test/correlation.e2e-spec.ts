import { api, expectEventually } from '@hub/testing';
import {
  alertBody,
  analystKey,
  awaitFeedEntries,
  awaitIndexed,
  correlationsOf,
  createAgency,
  env,
  feedHead,
  submit,
  TestAgency,
  uniqueContainer,
} from './monitoring-fixtures';

const inAWeek = () => new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();

describe('cross-agency correlation (GET /v1/correlations)', () => {
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

  /** The one correlation that involves both alerts (whichever of them was indexed second found it). */
  async function awaitCorrelation(first: string, second: string): Promise<any> {
    return expectEventually(
      async () => (await correlationsOf(analyst, second)).find((c) => c.alerts.some((a: any) => a.alertId === first)),
      { timeoutMs: 60000, description: `correlation of ${first} and ${second}` },
    );
  }

  it("links two agencies that report the same container, and tells owners who hold each other's alerts which alert matched", async () => {
    const container = uniqueContainer();
    const head = await feedHead(analyst);
    const fromKz = await submit(kz.key, alertBody([tj.id], { subjects: [{ type: 'container', number: container }] }));
    const fromTj = await submit(tj.key, alertBody([kz.id], { subjects: [{ type: 'container', number: container }] }));

    const correlation = await awaitCorrelation(fromKz.alertId, fromTj.alertId);
    expect(correlation.identifier).toEqual({ kind: 'container', key: container });
    expect(correlation.agencies.sort()).toEqual([kz.id, tj.id].sort());
    expect(correlation.alerts.map((a: any) => a.alertId).sort()).toEqual([fromKz.alertId, fromTj.alertId].sort());
    expect(correlation.restricted).toBe(false);
    const toKz = correlation.notices.find((n: any) => n.agencyId === kz.id);
    expect(toKz).toMatchObject({
      alertId: fromKz.alertId,
      otherAgencyId: tj.id,
      otherAlertIds: [fromTj.alertId],
      restricted: false,
    });
    expect(toKz.text).toContain(container);

    // Audited as correlation.found (outbox, same transaction), which the feed shows.
    const [found] = await awaitFeedEntries(
      analyst,
      head,
      correlation.alertId,
      (entries) => entries.some((e) => e.type === 'correlation.found'),
      'correlation.found in the feed',
    ).then((entries) => entries.filter((e) => e.type === 'correlation.found'));
    expect(found.correlation).toMatchObject({
      correlationId: correlation.correlationId,
      identifier: { kind: 'container', key: container },
    });
  });

  it('matches vehicle plates however they are written, within the registration country', async () => {
    const digits = String(Date.now()).slice(-5);
    const vehicle = (plate: string, registrationCountry = 'KG') => ({
      subjects: [{ type: 'vehicle', plate, registrationCountry }],
      expiresAt: inAWeek(),
      category: 'vehicle-of-interest',
    });
    const fromKz = await submit(kz.key, alertBody([tj.id], vehicle(`01 kg-${digits}.abc`)));
    const otherCountry = await submit(uz.key, alertBody([tj.id], vehicle(`01KG${digits}ABC`, 'KZ')));
    const fromTj = await submit(tj.key, alertBody([kz.id], vehicle(`01KG${digits}ABC`)));

    const correlation = await awaitCorrelation(fromKz.alertId, fromTj.alertId);
    expect(correlation.identifier).toEqual({ kind: 'vehicle-plate', key: `KG:01KG${digits}ABC` });
    await awaitIndexed(otherCountry.alertId);
    expect(
      (await correlationsOf(analyst, otherCountry.alertId)).filter((c) => c.identifier?.kind === 'vehicle-plate'),
    ).toEqual([]);
  });

  it('does not correlate alerts of one agency with each other', async () => {
    const container = uniqueContainer();
    const first = await submit(kz.key, alertBody([tj.id], { subjects: [{ type: 'container', number: container }] }));
    await awaitIndexed(first.alertId);
    const second = await submit(kz.key, alertBody([uz.id], { subjects: [{ type: 'container', number: container }] }));
    await awaitIndexed(second.alertId);
    expect(await correlationsOf(analyst, first.alertId)).toEqual([]);
    expect(await correlationsOf(analyst, second.alertId)).toEqual([]);

    // Another agency reporting it links to both, and still only two agencies are involved.
    const fromUz = await submit(uz.key, alertBody([kz.id], { subjects: [{ type: 'container', number: container }] }));
    const correlation = await awaitCorrelation(first.alertId, fromUz.alertId);
    expect(correlation.alertId).toBe(fromUz.alertId);
    expect(correlation.alerts.map((a: any) => a.alertId).sort()).toEqual(
      [first.alertId, second.alertId, fromUz.alertId].sort(),
    );
    expect(correlation.agencies.sort()).toEqual([kz.id, uz.id].sort());
  });

  it('stops matching an identifier an update dropped or an alert that was cancelled, and matches what the update added', async () => {
    const [dropped, added, cancelledOnly] = [uniqueContainer(), uniqueContainer(), uniqueContainer()];
    const container = (number: string) => ({ type: 'container', number });
    const fromKz = await submit(kz.key, alertBody([tj.id], { subjects: [container(dropped)] }));
    await awaitIndexed(fromKz.alertId);
    const update = await api(env.gateway, 'POST', `/v1/alerts/${fromKz.alertId}/versions`, {
      key: kz.key,
      body: { ...alertBody([tj.id], { subjects: [container(added)] }), baseVersion: 1 },
    });
    expect(update.status).toBe(202);
    await awaitIndexed(fromKz.alertId, 2);
    const fromUz = await submit(uz.key, alertBody([tj.id], { subjects: [container(cancelledOnly)] }));
    await awaitIndexed(fromUz.alertId);
    const cancel = await api(env.gateway, 'POST', `/v1/alerts/${fromUz.alertId}/cancel`, {
      key: uz.key,
      body: { reason: 'Cleared after inspection' },
    });
    expect(cancel.status).toBe(202);
    await awaitIndexed(fromUz.alertId, 2);

    const onDropped = await submit(tj.key, alertBody([kz.id], { subjects: [container(dropped)] }));
    const onCancelled = await submit(tj.key, alertBody([uz.id], { subjects: [container(cancelledOnly)] }));
    const onAdded = await submit(tj.key, alertBody([kz.id], { subjects: [container(added)] }));
    const correlation = await awaitCorrelation(fromKz.alertId, onAdded.alertId);
    expect(correlation.identifier).toEqual({ kind: 'container', key: added });
    await Promise.all([awaitIndexed(onDropped.alertId), awaitIndexed(onCancelled.alertId)]);
    expect(await correlationsOf(analyst, onDropped.alertId)).toEqual([]);
    expect(await correlationsOf(analyst, onCancelled.alertId)).toEqual([]);
  });

  it('tells an owner that cannot see the other alert only that a match exists and whom to contact', async () => {
    const container = uniqueContainer();
    // Both report to TJ; KZ and UZ never receive each other's alert.
    const fromKz = await submit(kz.key, alertBody([tj.id], { subjects: [{ type: 'container', number: container }] }));
    await awaitIndexed(fromKz.alertId);
    const fromUz = await submit(uz.key, alertBody([tj.id], { subjects: [{ type: 'container', number: container }] }));

    const correlation = await awaitCorrelation(fromKz.alertId, fromUz.alertId);
    expect(correlation.restricted).toBe(true);
    const toKz = correlation.notices.find((n: any) => n.agencyId === kz.id);
    const toUz = correlation.notices.find((n: any) => n.agencyId === uz.id);
    expect(toKz).toMatchObject({ alertId: fromKz.alertId, otherAgencyId: uz.id, otherAlertIds: [], restricted: true });
    expect(toUz).toMatchObject({ alertId: fromUz.alertId, otherAgencyId: kz.id, otherAlertIds: [], restricted: true });
    expect(toKz.text).toContain(`Contact ${uz.id}`);
    for (const notice of [toKz, toUz]) {
      expect(notice.text).not.toContain(container);
      expect(notice.text).not.toContain(notice.agencyId === kz.id ? fromUz.alertId : fromKz.alertId);
    }
  });

  it('withholds the identifier from analysts when a RED alert not addressed to the centre is involved', async () => {
    const container = uniqueContainer();
    const amber = await submit(kz.key, alertBody([tj.id], { subjects: [{ type: 'container', number: container }] }));
    await awaitIndexed(amber.alertId);
    const red = await submit(
      uz.key,
      alertBody([kz.id], { tlp: 'RED', subjects: [{ type: 'container', number: container }] }),
    );

    const correlation = await awaitCorrelation(amber.alertId, red.alertId);
    expect(correlation).toMatchObject({ identifier: null, withheldFromCentre: true, restricted: true });
    expect(correlation.notices.every((n: any) => n.restricted && n.otherAlertIds.length === 0)).toBe(true);
    expect(JSON.stringify(correlation)).not.toContain(container);
  });

  it('refuses bad filters with the error shape naming the parameter', async () => {
    const response = await api(env.coordination, 'GET', '/v1/correlations?alertId=not-a-uuid&limit=0', {
      key: analyst,
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('validation_failed');
    expect(response.body.details.map((d: any) => d.path).sort()).toEqual(['alertId', 'limit']);
  });
});
