import { api, expectEventually } from '@hub/testing';
import { alertBody, analystKey, createAgency, env, submit, TestAgency, uniqueContainer } from './monitoring-fixtures';

describe('volumes and the chase list (GET /v1/stats)', () => {
  let kz: TestAgency;
  let tj: TestAgency;
  let analyst: string;

  beforeAll(async () => {
    [kz, tj, analyst] = await Promise.all([createAgency('KZ'), createAgency('TJ'), analystKey()]);
  });

  const stats = async (query = '') => {
    const response = await api(env.coordination, 'GET', `/v1/stats${query}`, { key: analyst });
    if (response.status !== 200) throw new Error(`stats: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };

  it('counts alerts by sender, country and category over the last hour, day and week', async () => {
    await submit(kz.key, alertBody([tj.id], { category: 'route-intelligence' }));
    await submit(kz.key, alertBody([tj.id], { category: 'route-intelligence', tlp: 'RED' }));
    const body = await expectEventually(
      async () => {
        const current = await stats();
        const sender = current.bySender.find((row: any) => row.agencyId === kz.id);
        return sender?.total === 2 ? current : false;
      },
      { timeoutMs: 60000, description: `two alerts counted for ${kz.id}` },
    );
    expect(body.bySender.find((row: any) => row.agencyId === kz.id)).toEqual({
      agencyId: kz.id,
      country: 'KZ',
      lastHour: 2,
      last24h: 2,
      last7d: 2,
      total: 2,
    });
    const kzCountry = body.byCountry.find((row: any) => row.country === 'KZ');
    expect(kzCountry.lastHour).toBeGreaterThanOrEqual(2);
    expect(body.byCategory.find((row: any) => row.category === 'route-intelligence').last24h).toBeGreaterThanOrEqual(2);
    expect(body.windows.lastHour.alertsSubmitted).toBeGreaterThanOrEqual(2);
    expect(body.windows.last7d.alertsSubmitted).toBeGreaterThanOrEqual(body.windows.lastHour.alertsSubmitted);
  });

  it('lists unacknowledged deliveries oldest first until the recipient acknowledges, and again for a new version', async () => {
    const ours: string[] = [];
    const chased = (current: any) =>
      current.unacknowledged.oldest
        .filter((item: any) => item.recipient === tj.id && ours.includes(item.alertId))
        .map((item: any) => item.alertId);
    // Age is counted from the delivery (routing) time: the second alert is posted once the first is delivered,
    // since two alerts can be routed in either order (different partitions).
    const older = await submit(kz.key, alertBody([tj.id]));
    ours.push(older.alertId);
    await expectEventually(async () => chased(await stats(`?agency=${tj.id}`)).length === 1, {
      timeoutMs: 60000,
      description: 'the first delivery on the chase list',
    });
    const body = alertBody([tj.id]);
    const newer = await submit(kz.key, body);
    ours.push(newer.alertId);

    const waiting = await expectEventually(
      async () => {
        const current = await stats(`?agency=${tj.id}`);
        // The routing record can be ahead of the feed: until the submission reaches the feed the item shows no
        // TLP and counts as withheld (fail closed).
        const classified = current.unacknowledged.oldest.some(
          (i: any) => i.alertId === newer.alertId && i.tlp !== null,
        );
        return chased(current).length === 2 && classified ? current : false;
      },
      { timeoutMs: 60000, description: 'both deliveries on the chase list' },
    );
    expect(chased(waiting)).toEqual([older.alertId, newer.alertId]);
    const item = waiting.unacknowledged.oldest.find((i: any) => i.alertId === newer.alertId);
    expect(item).toMatchObject({
      version: 1,
      sender: kz.id,
      recipient: tj.id,
      tlp: 'AMBER',
      headline: body.headline,
      redacted: false,
    });
    expect(item.ageSeconds).toBeGreaterThanOrEqual(0);
    const total = waiting.unacknowledged.total;
    expect(total).toBeGreaterThanOrEqual(2);

    expect(
      (
        await api(env.gateway, 'POST', `/v1/alerts/${older.alertId}/ack`, {
          key: tj.key,
          body: { version: 1, status: 'received' },
        })
      ).status,
    ).toBe(202);
    const afterAck = await expectEventually(
      async () => {
        const current = await stats(`?agency=${tj.id}`);
        const ids = chased(current);
        return ids.length === 1 && ids[0] === newer.alertId ? current : false;
      },
      { timeoutMs: 60000, description: 'the acknowledged delivery leaves the chase list' },
    );
    expect(afterAck.unacknowledged.total).toBe(total - 1);

    // An update is a new delivery: the ack of version 1 does not cover it.
    const updated = await api(env.gateway, 'POST', `/v1/alerts/${older.alertId}/versions`, {
      key: kz.key,
      body: { ...alertBody([tj.id]), baseVersion: 1 },
    });
    expect(updated.status).toBe(202);
    const afterUpdate = await expectEventually(
      async () => {
        const current = await stats(`?agency=${tj.id}`);
        return current.unacknowledged.oldest.some((i: any) => i.alertId === older.alertId && i.version === 2)
          ? current
          : false;
      },
      { timeoutMs: 60000, description: 'version 2 on the chase list' },
    );
    expect(afterUpdate.unacknowledged.total).toBe(total);
  });

  it('shows no headline on the chase list for a RED alert withheld from the centre', async () => {
    const body = alertBody([tj.id], { tlp: 'RED' });
    const red = await submit(kz.key, body);
    const item = await expectEventually(
      async () => {
        const current = await stats(`?agency=${kz.id}`);
        return current.unacknowledged.oldest.find((i: any) => i.alertId === red.alertId && i.tlp === 'RED');
      },
      { timeoutMs: 60000, description: 'the RED delivery on the chase list' },
    );
    expect(item).toMatchObject({ redacted: true, headline: null, tlp: 'RED' });
    expect(JSON.stringify(item)).not.toContain(body.headline);
  });
});

describe("the dashboard's charts as numbers (GET /v1/stats/charts)", () => {
  // States no other test posts from, so that their counts are exactly this test's (AF is the rooms tests' partner
  // agency, so Bhutan stands in for it).
  let mn: TestAgency;
  let bt: TestAgency;
  let bt2: TestAgency;
  let analyst: string;

  beforeAll(async () => {
    [mn, bt, bt2, analyst] = await Promise.all([
      createAgency('MN'),
      createAgency('BT'),
      createAgency('BT'),
      analystKey(),
    ]);
  });

  const charts = async (query = '') => {
    const response = await api(env.coordination, 'GET', `/v1/stats/charts${query}`, { key: analyst });
    if (response.status !== 200) throw new Error(`charts: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const seriesOf = (body: any, party: string): number[] | undefined =>
    body.alertsByState.find((s: any) => s.party === party)?.counts;
  const unackedOf = (body: any, party: string): number[] | undefined =>
    body.unacknowledged.byRecipient.find((s: any) => s.party === party)?.counts;
  const flow = (body: any, from: string, to: string): number | undefined =>
    body.flows.find((f: any) => f.from === from && f.to === to)?.deliveries;

  it('counts alerts per day by state, the flows between states, unacknowledged deliveries by age and correlations', async () => {
    const before = await charts('?tz=Asia/Almaty');
    expect(before.period).toBe('7d');
    expect(before.timeZone).toBe('Asia/Almaty');
    expect(before.buckets).toHaveLength(7);
    // The last bucket is today in the zone asked for.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Almaty' }).format(new Date());
    expect(before.buckets[6]).toBe(today);
    expect(before.correlations).toHaveLength(7);
    expect(before.unacknowledged.ages).toEqual(['lt1h', '1h-6h', '6h-24h', '1d-7d', 'gt7d']);

    const container = uniqueContainer();
    // MN sends two alerts to both BT agencies (four deliveries), BT one to MN with the same container (a match).
    const first = await submit(
      mn.key,
      alertBody([bt.id, bt2.id], { subjects: [{ type: 'container', number: container }] }),
    );
    await submit(mn.key, alertBody([bt.id, bt2.id]));
    await submit(bt.key, alertBody([mn.id], { subjects: [{ type: 'container', number: container }] }));

    const after = await expectEventually(
      async () => {
        const current = await charts('?tz=Asia/Almaty');
        return flow(current, 'MN', 'BT') === 4 &&
          seriesOf(current, 'MN')?.[6] === 2 &&
          seriesOf(current, 'BT')?.[6] === 1 &&
          flow(current, 'BT', 'MN') === 1 &&
          unackedOf(current, 'BT')?.[0] === 4 &&
          current.correlations[6] > before.correlations[6]
          ? current
          : false;
      },
      { timeoutMs: 60000, description: 'the three alerts counted in the charts' },
    );
    expect(seriesOf(after, 'MN')).toEqual([0, 0, 0, 0, 0, 0, 2]);
    expect(seriesOf(after, 'BT')).toEqual([0, 0, 0, 0, 0, 0, 1]);
    expect(unackedOf(after, 'BT')).toEqual([4, 0, 0, 0, 0]);
    expect(unackedOf(after, 'MN')).toEqual([1, 0, 0, 0, 0]);
    // The chart counts the whole chase list that GET /v1/stats lists (deliveries routed meanwhile aside).
    await expectEventually(
      async () =>
        (await charts()).unacknowledged.total ===
        (await api(env.coordination, 'GET', '/v1/stats', { key: analyst })).body.unacknowledged.total,
      { timeoutMs: 60000, description: 'the same unacknowledged total in the chart and the stats' },
    );

    // An acknowledgement takes the delivery off the chart.
    await expectEventually(
      async () =>
        (
          await api(env.gateway, 'POST', `/v1/alerts/${first.alertId}/ack`, {
            key: bt.key,
            body: { version: 1, status: 'received' },
          })
        ).status === 202,
      { timeoutMs: 60000, description: 'the acknowledgement accepted' },
    );
    await expectEventually(async () => unackedOf(await charts(), 'BT')?.[0] === 3, {
      timeoutMs: 60000,
      description: 'the acknowledged delivery off the chart',
    });

    // By hour: 24 local hours, the last one now.
    const hourly = await charts('?period=24h&tz=Asia/Almaty');
    expect(hourly.buckets).toHaveLength(24);
    const hour = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Almaty', hour: '2-digit', hourCycle: 'h23' })
      .format(new Date())
      .padStart(2, '0');
    expect(hourly.buckets[23]).toMatch(new RegExp(`T${hour}:00$`));
    expect(seriesOf(hourly, 'MN')?.[23]).toBe(2);
    expect(seriesOf(hourly, 'MN')?.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('refuses an unknown zone or period, and any key but an analyst key', async () => {
    const zone = await api(env.coordination, 'GET', '/v1/stats/charts?tz=Mars/Olympus', { key: analyst });
    expect(zone.status).toBe(400);
    expect(zone.body.details).toEqual([expect.objectContaining({ path: 'tz' })]);
    const injected = await api(env.coordination, 'GET', `/v1/stats/charts?tz=${encodeURIComponent("UTC'; --")}`, {
      key: analyst,
    });
    expect(injected.status).toBe(400);
    const period = await api(env.coordination, 'GET', '/v1/stats/charts?period=1y', { key: analyst });
    expect(period.status).toBe(400);
    expect((await api(env.coordination, 'GET', '/v1/stats/charts', { key: mn.key })).status).toBe(403);
  });
});
