import { randomUUID } from 'node:crypto';
import { HubService, Topic } from '@hub/contracts/topics';
import { api, expectEventually, testKafka } from '@hub/testing';
import {
  alertBody,
  analystKey,
  awaitFeedEntries,
  createAgency,
  env,
  feedAfter,
  feedHead,
  queryDatabase,
  readFeedStream,
  REGIONAL_CENTRE_ID,
  submit,
  TestAgency,
  uniqueContainer,
} from './monitoring-fixtures';

describe("analysts' live feed (GET /v1/feed, GET /v1/feed/stream)", () => {
  let kz: TestAgency;
  let tj: TestAgency;
  let analyst: string;

  beforeAll(async () => {
    [kz, tj, analyst] = await Promise.all([createAgency('KZ'), createAgency('TJ'), analystKey()]);
  });

  describe('access', () => {
    it.each(['/v1/feed', '/v1/feed/stream', '/v1/correlations', '/v1/stats'])(
      '%s needs a key (401) of the analyst role (403)',
      async (path) => {
        expect((await api(env.coordination, 'GET', path)).status).toBe(401);
        const asAgency = await api(env.coordination, 'GET', path, { key: kz.key });
        expect(asAgency.status).toBe(403);
        expect(asAgency.body.error).toBe('forbidden');
      },
    );

    it('refuses a malformed Last-Event-ID, naming the header', async () => {
      const response = await api(env.coordination, 'GET', '/v1/feed/stream', {
        key: analyst,
        headers: { 'last-event-id': 'latest' },
      });
      expect(response.status).toBe(400);
      expect(response.body.details[0].path).toBe('Last-Event-ID');
    });
  });

  it('shows submissions, routing decisions and deliveries of an alert the centre may see, with its content', async () => {
    const head = await feedHead(analyst);
    const body = alertBody([tj.id]);
    const { alertId } = await submit(kz.key, body);
    const entries = await awaitFeedEntries(
      analyst,
      head,
      alertId,
      (found) =>
        ['alert.submitted', 'routing.decided', 'alert.delivered'].every((type) => found.some((e) => e.type === type)),
      'submitted, routed and delivered entries',
    );
    const submitted = entries.find((e) => e.type === 'alert.submitted');
    expect(submitted).toMatchObject({
      sender: kz.id,
      recipients: [tj.id],
      category: body.category,
      tlp: 'AMBER',
      redacted: false,
    });
    expect(submitted.alert.headline).toBe(body.headline);
    // One routing fact per version: its recipients, and the decisions summarised by reason.
    const routed = entries.filter((e) => e.type === 'routing.decided');
    expect(routed).toHaveLength(1);
    expect(routed[0]).toMatchObject({ recipients: [tj.id], decision: 'delivered' });
    expect(routed[0].reason).toMatch(/^ADDRESSED ×1/);
    expect(entries.find((e) => e.type === 'alert.delivered')).toMatchObject({ recipient: tj.id, sender: kz.id });
  });

  it('reduces a RED exchange not addressed to the centre to metadata: no content field anywhere in the feed or its tables', async () => {
    const head = await feedHead(analyst);
    const secrets = {
      headline: `RED headline ${uniqueContainer()}`,
      description: `RED description ${uniqueContainer()}`,
      place: `Safe house ${uniqueContainer()}`,
      fullName: `Courier ${uniqueContainer().slice(0, 6)}`,
      container: uniqueContainer(),
      note: `Ack note ${uniqueContainer()}`,
      cancelReason: `Cancel reason ${uniqueContainer()}`,
    };
    const body = alertBody([tj.id], {
      tlp: 'RED',
      category: 'controlled-delivery',
      headline: secrets.headline,
      description: secrets.description,
      location: { country: 'KZ', place: secrets.place },
      subjects: [
        { type: 'container', number: secrets.container },
        { type: 'person', fullName: secrets.fullName },
      ],
      expiresAt: new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString(),
    });
    const { alertId } = await submit(kz.key, body);
    await awaitFeedEntries(
      analyst,
      head,
      alertId,
      (found) => found.some((e) => e.type === 'alert.delivered'),
      'RED alert delivered',
    );
    const ack = await api(env.gateway, 'POST', `/v1/alerts/${alertId}/ack`, {
      key: tj.key,
      body: { version: 1, status: 'actioned', note: secrets.note },
    });
    expect(ack.status).toBe(202);
    const cancel = await api(env.gateway, 'POST', `/v1/alerts/${alertId}/cancel`, {
      key: kz.key,
      body: { reason: secrets.cancelReason },
    });
    expect(cancel.status).toBe(202);

    const entries = await awaitFeedEntries(
      analyst,
      head,
      alertId,
      (found) =>
        ['alert.submitted', 'alert.acked', 'alert.cancelled'].every((type) => found.some((e) => e.type === type)),
      'submitted, acked and cancelled entries of the RED alert',
    );
    const submitted = entries.find((e) => e.type === 'alert.submitted');
    expect(submitted).toMatchObject({
      redacted: true,
      tlp: 'RED',
      sender: kz.id,
      recipients: [tj.id],
      category: 'controlled-delivery',
      alertId,
    });
    expect(typeof submitted.at).toBe('string');
    for (const field of ['alert', 'headline', 'description', 'subjects', 'location'])
      expect(submitted).not.toHaveProperty(field);
    expect(entries.find((e) => e.type === 'alert.acked')).toMatchObject({
      recipient: tj.id,
      ack: { status: 'actioned' },
      redacted: true,
    });
    expect(entries.find((e) => e.type === 'alert.cancelled')).not.toHaveProperty('cancelReason');
    for (const entry of entries) expect(entry.redacted).toBe(true);

    const served = JSON.stringify(entries);
    const stored = JSON.stringify([
      await queryDatabase(`SELECT * FROM coordination.feed_entries WHERE alert_id = $1`, [alertId]),
      await queryDatabase(`SELECT * FROM coordination.feed_alerts WHERE alert_id = $1`, [alertId]),
    ]);
    for (const secret of Object.values(secrets)) {
      expect(served).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }

    // The stream serves the same reduced entries.
    const streamed = await readFeedStream(analyst, {
      after: head,
      enough: (events) => events.some((e) => e.data.alertId === alertId && e.data.type === 'alert.cancelled'),
    });
    const streamedText = JSON.stringify(streamed.filter((e) => e.data.alertId === alertId));
    for (const secret of Object.values(secrets)) expect(streamedText).not.toContain(secret);
  });

  it('shows a RED alert that names the regional centre among its recipients', async () => {
    const head = await feedHead(analyst);
    const body = alertBody([tj.id, REGIONAL_CENTRE_ID], { tlp: 'RED' });
    const { alertId } = await submit(kz.key, body);
    // The feed orders facts as it reads them from two topics: the node's routing fact may come before the submission.
    const [submitted] = await awaitFeedEntries(
      analyst,
      head,
      alertId,
      (found) => found.some((e) => e.type === 'alert.submitted'),
      'RED alert to the centre',
    ).then((entries) => entries.filter((e) => e.type === 'alert.submitted'));
    expect(submitted).toMatchObject({ redacted: false, tlp: 'RED' });
    expect(submitted.alert.headline).toBe(body.headline);
  });

  it('withdraws from the feed what a recall withdrew: RED v1 to [TJ, centre], v2 to [TJ] only', async () => {
    const head = await feedHead(analyst);
    const body = alertBody([tj.id, REGIONAL_CENTRE_ID], { tlp: 'RED', headline: `Recalled ${uniqueContainer()}` });
    const { alertId } = await submit(kz.key, body);
    await awaitFeedEntries(
      analyst,
      head,
      alertId,
      (found) => found.some((e) => e.type === 'alert.submitted' && e.alert?.headline === body.headline),
      'v1 shown with its content',
    );
    const v2 = { ...body, distribution: { ...body.distribution, recipients: [tj.id] }, baseVersion: 1 };
    const updated = await api(env.gateway, 'POST', `/v1/alerts/${alertId}/versions`, { key: kz.key, body: v2 });
    expect(updated.status).toBe(202);
    const entries = await awaitFeedEntries(
      analyst,
      head,
      alertId,
      (found) => found.some((e) => e.type === 'alert.updated'),
      'the update in the feed',
    );
    expect(JSON.stringify(entries)).not.toContain(body.headline);
    expect(entries.find((e) => e.type === 'alert.submitted')).toMatchObject({ withdrawn: true });
  });

  it('resumes after a disconnect with Last-Event-ID and delivers exactly the rest: no gap, no repeat', async () => {
    const head = await feedHead(analyst);
    const first = [await submit(kz.key, alertBody([tj.id])), await submit(kz.key, alertBody([tj.id]))];
    const beforeDisconnect = await readFeedStream(analyst, { after: head, enough: (events) => events.length >= 3 });
    const lastSeen = beforeDisconnect[beforeDisconnect.length - 1].id;

    // Disconnected now; more happens while nobody listens.
    const second = [await submit(tj.key, alertBody([kz.id])), await submit(tj.key, alertBody([kz.id]))];
    const submittedIds = (events: { data: any }[]) =>
      new Set(events.filter((e) => e.data.type === 'alert.submitted').map((e) => e.data.alertId));
    const afterReconnect = await readFeedStream(analyst, {
      lastEventId: lastSeen,
      enough: (events) =>
        [...first, ...second].every((alert) => submittedIds([...beforeDisconnect, ...events]).has(alert.alertId)),
    });

    expect(Number(afterReconnect[0].id)).toBe(Number(lastSeen) + 1);
    const received = [...beforeDisconnect, ...afterReconnect].map((e) => e.id);
    const lastReceived = Number(received[received.length - 1]);
    const expected = (await feedAfter(analyst, head))
      .map((entry) => entry.cursor)
      .filter((cursor) => Number(cursor) <= lastReceived);
    expect(received).toEqual(expected);
    // Cursors of the one feed are consecutive integers: nothing was skipped between them either.
    expect(received.map(Number)).toEqual(received.map((_, i) => Number(head) + 1 + i));
  });

  it('answers the paged feed oldest first with a cursor to continue and the head cursor', async () => {
    const head = await feedHead(analyst);
    const { alertId } = await submit(kz.key, alertBody([tj.id]));
    await awaitFeedEntries(analyst, head, alertId, (found) => found.length >= 2, 'two entries');
    const page = await api(env.coordination, 'GET', `/v1/feed?after=${head}&limit=1`, { key: analyst });
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0].cursor).toBe(String(Number(head) + 1));
    expect(page.body.nextCursor).toBe(page.body.items[0].cursor);
    expect(Number(page.body.headCursor)).toBeGreaterThanOrEqual(Number(head) + 2);
    const next = await api(env.coordination, 'GET', `/v1/feed?after=${page.body.nextCursor}&limit=1`, { key: analyst });
    expect(next.body.items[0].cursor).toBe(String(Number(head) + 2));
  });

  it('stores an audit event once however often Kafka delivers it', async () => {
    const head = await feedHead(analyst);
    const alertId = randomUUID();
    const event = (eventId: string, recipient: string) => ({
      eventId,
      type: 'routing.decided',
      at: new Date().toISOString(),
      actor: { service: 'coordination-node' },
      alertId,
      version: 1,
      recipient,
      decision: 'withheld',
      reason: 'NOT_ADDRESSED',
      details: { sender: kz.id, kind: 'alert' },
    });
    const duplicate = event(`feed-test:${randomUUID()}`, tj.id);
    const sentinel = event(`feed-test:${randomUUID()}`, kz.id);
    // As the node's own principal: its audit topic is the only one it may write.
    const kafka = testKafka('feed-e2e', HubService.CoordinationNode);
    const producer = kafka.producer();
    await producer.connect();
    try {
      // Same key = same partition: the sentinel is handled after every copy of the duplicate.
      const message = (value: unknown) => ({ key: alertId, value: JSON.stringify(value) });
      await producer.send({
        topic: Topic.AuditEventsFromCoordination,
        acks: -1,
        messages: [message(duplicate), message(duplicate)],
      });
      await producer.send({
        topic: Topic.AuditEventsFromCoordination,
        acks: -1,
        messages: [message(duplicate), message(sentinel)],
      });
    } finally {
      await producer.disconnect();
    }
    const entries = await awaitFeedEntries(
      analyst,
      head,
      alertId,
      (found) => found.some((e) => e.eventId === sentinel.eventId),
      'the sentinel event',
    );
    expect(entries.filter((e) => e.eventId === duplicate.eventId)).toHaveLength(1);
    expect(entries).toHaveLength(2);
  });

  it('leaves out a fact read from a topic whose writer does not own its type (a routing decision from the gateway)', async () => {
    const head = await feedHead(analyst);
    const alertId = randomUUID();
    const at = new Date().toISOString();
    const forged = {
      eventId: `feed-forged:${randomUUID()}`,
      type: 'routing.decided',
      at,
      actor: { service: 'coordination-node' },
      alertId,
      version: 1,
      details: { delivered: [{ recipient: tj.id, reason: 'ADDRESSED', deliveryId: randomUUID() }], withheld: [] },
    };
    // The gateway owns deliveries: on the same key (so after the forgery), it shows the forgery was handled.
    const sentinel = {
      eventId: `feed-sentinel:${randomUUID()}`,
      type: 'alert.delivered',
      at,
      actor: { service: 'agency-gateway' },
      alertId,
      version: 1,
      recipient: tj.id,
      details: { sender: kz.id, kind: 'alert', deliveryId: randomUUID() },
    };
    const producer = testKafka('feed-e2e-owners', HubService.AgencyGateway).producer();
    await producer.connect();
    try {
      await producer.send({
        topic: Topic.AuditEventsFromGateway,
        acks: -1,
        messages: [forged, sentinel].map((value) => ({ key: alertId, value: JSON.stringify(value) })),
      });
    } finally {
      await producer.disconnect();
    }
    const entries = await awaitFeedEntries(
      analyst,
      head,
      alertId,
      (found) => found.some((e) => e.eventId === sentinel.eventId),
      'the sentinel delivery',
    );
    expect(entries.map((e) => e.eventId)).toEqual([sentinel.eventId]);
  });

  it('holds at most FEED_STREAMS_PER_KEY (5) open streams per key: the next one is 429 until one closes', async () => {
    const key = await analystKey();
    const opened: AbortController[] = [];
    const open = async () => {
      const controller = new AbortController();
      opened.push(controller);
      const response = await fetch(`${env.coordination}/v1/feed/stream`, {
        headers: { authorization: `Bearer ${key}` },
        signal: controller.signal,
      });
      return response;
    };
    try {
      for (let i = 0; i < 5; i++) expect((await open()).status).toBe(200);
      const refused = await open();
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { message: string }).message).toMatch(/5 feed streams open \(at most 5\)/);
      opened[0].abort();
      await expectEventually(async () => (await open()).status === 200, {
        timeoutMs: 10_000,
        description: 'a slot freed by the closed stream',
      });
    } finally {
      for (const controller of opened) controller.abort();
    }
  });
});
