import { randomInt } from 'node:crypto';
import {
  alertBody,
  api,
  createAgency,
  expectEventually,
  inbox,
  submitAccepted,
  testEnvironment,
  TestAgency,
  uniqueContainerNumber,
} from '@hub/testing';
import { allEntries, newAuditor } from '../../audit-log/test/audit-test-support';

const gateway = () => testEnvironment().gateway;
const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString();

function askHits(key: string, identifiers: unknown[]) {
  return api(gateway(), 'POST', '/v1/hits', { key, body: { identifiers } });
}

const spaced = (container: string) =>
  `${container.slice(0, 4).toLowerCase()} ${container.slice(4, 10)}-${container.slice(10)}`;

describe('POST /v1/hits (bulk hit/no-hit)', () => {
  let owner: TestAgency;
  let other: TestAgency;
  let asker: TestAgency;
  let recipient: TestAgency;

  beforeAll(async () => {
    [owner, other, asker, recipient] = await Promise.all([
      createAgency('KZ'),
      createAgency('UZ'),
      createAgency('TJ'),
      createAgency('KG'),
    ]);
  });

  it('answers known and unknown identifiers with whom to contact, leaks nothing of a RED alert, notifies once, audits once', async () => {
    const [red, cancelledContainer, ownContainer, unknown] = [1, 2, 3, 4].map(() => uniqueContainerNumber());
    const born = new Date(Date.UTC(1950, 0, 1) + randomInt(20_000) * 86_400_000).toISOString().slice(0, 10);
    const secretHeadline = `RED secret ${randomInt(1e9)}`;
    const redAlert = await submitAccepted(
      owner.key,
      alertBody([recipient.id], {
        tlp: 'RED',
        headline: secretHeadline,
        description: 'Informant says the shipment moves on Tuesday.',
        subjects: [
          { type: 'container', number: red },
          { type: 'person', fullName: 'Рахимов Фаррух Саидович', dateOfBirth: born },
        ],
        expiresAt: inAMonth(),
      }),
    );
    const cancelled = await submitAccepted(
      other.key,
      alertBody([recipient.id], { subjects: [{ type: 'container', number: cancelledContainer }] }),
    );
    const cancel = await api(gateway(), 'POST', `/v1/alerts/${cancelled.alertId}/cancel`, {
      key: other.key,
      body: { reason: 'Cleared' },
    });
    expect(cancel.status).toBe(202);
    // The asker's own alert is no contact of its own.
    await submitAccepted(
      asker.key,
      alertBody([recipient.id], { subjects: [{ type: 'container', number: ownContainer }] }),
    );

    const response = await askHits(asker.key, [
      { type: 'container', number: spaced(red) },
      { type: 'container', number: unknown },
      { type: 'container', number: cancelledContainer },
      { type: 'container', number: ownContainer },
      { type: 'person', fullName: 'RAKHIMOV FARRUKH', dateOfBirth: born },
    ]);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      results: [
        { index: 0, hit: true, contacts: [owner.id] },
        { index: 1, hit: false, contacts: [] },
        { index: 2, hit: false, contacts: [] },
        { index: 3, hit: false, contacts: [] },
        { index: 4, hit: true, contacts: [owner.id] },
      ],
    });
    const text = JSON.stringify(response.body);
    for (const leak of [redAlert.alertId, secretHeadline, 'Informant', 'RED', red]) expect(text).not.toContain(leak);

    // The owner: one notice for the query (two identifiers of one alert), naming the asker and its own alert.
    const notices = (await inbox(owner.key)).filter((item: any) => item.kind === 'hit');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      kind: 'hit',
      alertId: redAlert.alertId,
      sender: owner.id,
      alert: null,
      hit: { askedBy: asker.id, alertIds: [redAlert.alertId], queryId: expect.any(String) },
    });
    expect((await inbox(other.key)).filter((item: any) => item.kind === 'hit')).toEqual([]);
    expect((await inbox(asker.key)).filter((item: any) => item.kind === 'hit')).toEqual([]);
    // Not a delivery: the sender view does not list the owner as a recipient of its own alert.
    const view = await api(gateway(), 'GET', `/v1/alerts/${redAlert.alertId}`, { key: owner.key });
    expect(view.body.recipients.map((r: any) => r.agencyId)).toEqual([recipient.id]);

    const auditor = await newAuditor();
    const facts = await expectEventually(
      async () => {
        const found = (await allEntries(auditor.key, { type: 'hits.queried' })).filter(
          (entry: any) => entry.actor?.agencyId === asker.id,
        );
        return found.length > 0 ? found : false;
      },
      { timeoutMs: 90_000, description: 'the hits.queried fact' },
    );
    expect(facts).toHaveLength(1);
    const details = (facts[0] as any).details;
    expect(details).toMatchObject({
      queryId: (notices[0] as any).hit.queryId,
      identifierCount: 5,
      hitCount: 2,
      contacts: [owner.id],
    });
    expect(details.keyHashes).toHaveLength(5);
    expect(JSON.stringify(facts[0])).not.toContain(red);
    expect(JSON.stringify(facts[0])).not.toMatch(/RAKHIMOV/);
  });

  it('refuses bad input with 400 naming the field, and other roles', async () => {
    const bad = await askHits(asker.key, [{ type: 'container', number: 'CSQU3054384' }]);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('identifiers[0].number');
    const none = await askHits(asker.key, []);
    expect(none.status).toBe(400);
    expect(none.body.details[0].path).toBe('identifiers');
  });

  it('answers 10,000 identifiers in one request', async () => {
    const identifiers = Array.from({ length: 10_000 }, () => ({ type: 'container', number: uniqueContainerNumber() }));
    const response = await askHits(asker.key, identifiers);
    expect(response.status).toBe(200);
    expect(response.body.results).toHaveLength(10_000);
    expect(response.body.results.every((r: any, i: number) => r.index === i && r.hit === false)).toBe(true);
  });
});
