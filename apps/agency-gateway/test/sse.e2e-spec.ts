import { randomUUID } from 'node:crypto';
import { AlertRoutedMessage } from '@hub/contracts/messages';
import { Topic } from '@hub/contracts/topics';
import {
  alertBody,
  createAgency,
  expectEventually,
  queryDatabase,
  readServerSentEvents,
  submitAccepted,
  testEnvironment,
  TestAgency,
  testKafka,
} from '@hub/testing';

const env = testEnvironment();

interface SseEvent {
  id: string;
  event: string;
  data: any;
}

/** Reads Server-Sent Events until `count` deliveries arrived, then disconnects. */
async function readEvents(key: string, count: number, lastEventId?: string): Promise<SseEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 30000);
  const response = await fetch(`${env.gateway}/v1/inbox/stream`, {
    headers: { authorization: `Bearer ${key}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const events: SseEvent[] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    while (events.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let boundary: number;
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const fields = Object.fromEntries(
          frame
            .split('\n')
            .filter((line) => line && !line.startsWith(':') && line.includes(': '))
            .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
        );
        if (fields.event === 'delivery')
          events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

describe('GET /v1/inbox/stream (Server-Sent Events)', () => {
  let sender: TestAgency;
  let recipient: TestAgency;

  beforeAll(async () => {
    [sender, recipient] = await Promise.all([createAgency('AZ'), createAgency('TM')]);
  });

  it('streams new deliveries live and resumes after Last-Event-ID without gaps or repeats', async () => {
    const live = readEvents(recipient.key, 2);
    const first = await submitAccepted(sender.key, alertBody([recipient.id]));
    const second = await submitAccepted(sender.key, alertBody([recipient.id]));
    const received = await live;
    // Different alerts travel on different partitions, so two quick submissions may be routed in either order; the
    // guarantee is the inbox's own order (its cursor), which every read and every resume must follow.
    expect(received.map((e) => e.data.alertId).sort()).toEqual([first.alertId, second.alertId].sort());
    expect(Number(received[1].id)).toBeGreaterThan(Number(received[0].id));
    expect(received[0].data.alert.headline).toBeDefined();

    // Disconnected now; more arrive while nobody listens.
    const third = await submitAccepted(sender.key, alertBody([recipient.id]));
    const fourth = await submitAccepted(sender.key, alertBody([recipient.id]));
    const resumed = await readEvents(recipient.key, 2, received[1].id);
    expect(resumed.map((e) => e.data.alertId).sort()).toEqual([third.alertId, fourth.alertId].sort());
    expect(Number(resumed[0].id)).toBeGreaterThan(Number(received[1].id));
    expect(Number(resumed[1].id)).toBeGreaterThan(Number(resumed[0].id));

    // From the start: exactly what the two reads saw, in the same order — no gap, no repeat.
    const fromStart = await readEvents(recipient.key, 4);
    expect(fromStart.map((e) => [e.id, e.data.alertId])).toEqual(
      [...received, ...resumed].map((e) => [e.id, e.data.alertId]),
    );
  });

  it('refuses a malformed Last-Event-ID naming the header', async () => {
    const response = await fetch(`${env.gateway}/v1/inbox/stream`, {
      headers: { authorization: `Bearer ${recipient.key}`, 'last-event-id': 'abc' },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).details[0].path).toBe('Last-Event-ID');
  });
});

/** The `inbox.streamed` facts an agency's streams wrote, in log order. */
async function streamedFacts(
  agencyId: string,
): Promise<{ count: number; items: { alertId: string; deliveryId: string }[] }[]> {
  const rows = await queryDatabase<{ entry: string }>(
    `SELECT entry FROM audit.entries WHERE actor_agency = $1 AND type = 'inbox.streamed' ORDER BY seq`,
    [agencyId],
  );
  return rows.map((row) => JSON.parse(row.entry).details);
}

/**
 * Routed versions straight onto the topic (as the coordination node writes them): one message is one batch for the
 * gateway's deliveries consumer, whatever its recipients.
 */
describe('inbox streams served together', () => {
  const producer = testKafka('sse-e2e').producer();
  let sender: TestAgency;

  beforeAll(async () => {
    await producer.connect();
    sender = await createAgency('TM');
  });

  afterAll(async () => {
    await producer.disconnect();
  });

  function routed(recipients: TestAgency[]): AlertRoutedMessage {
    return {
      sourceMessageId: randomUUID(),
      kind: 'alert',
      alertId: randomUUID(),
      version: 1,
      sender: sender.id,
      decidedAt: new Date().toISOString(),
      deliveries: recipients.map((recipient) => ({
        deliveryId: randomUUID(),
        recipient: recipient.id,
        kind: 'alert' as const,
      })),
    };
  }

  const url = () => `${env.gateway}/v1/inbox/stream`;

  it('two streams of different recipients woken by one batch get their own item each and write one fact each', async () => {
    const [first, second] = await Promise.all([createAgency('AZ'), createAgency('KG')]);
    const streams = [first, second].map((agency) =>
      readServerSentEvents(url(), agency.key, { eventName: 'delivery', enough: (events) => events.length >= 1 }),
    );
    const message = routed([first, second]);
    await producer.send({
      topic: Topic.AlertsRouted,
      messages: [{ key: message.alertId, value: JSON.stringify(message) }],
    });
    const [firstEvents, secondEvents] = await Promise.all(streams);
    expect(firstEvents.map((event) => event.data.deliveryId)).toEqual([message.deliveries[0].deliveryId]);
    expect(secondEvents.map((event) => event.data.deliveryId)).toEqual([message.deliveries[1].deliveryId]);

    for (const [agency, delivery, events] of [
      [first, message.deliveries[0], firstEvents],
      [second, message.deliveries[1], secondEvents],
    ] as const) {
      const facts = await expectEventually(
        async () => {
          const found = await streamedFacts(agency.id);
          return found.length > 0 ? found : false;
        },
        { timeoutMs: 30000, description: `the streamed fact of ${agency.id}` },
      );
      // Its own batch only: another stream's items never appear in this agency's fact.
      expect(facts).toEqual([
        {
          count: 1,
          fromCursor: events[0].id,
          toCursor: events[0].id,
          items: [{ alertId: message.alertId, version: 1, deliveryId: delivery.deliveryId, kind: 'alert' }],
        },
      ]);
    }
  });

  it('a stream that reconnects in the middle of a burst resumes without a gap or a repeat, in cursor order', async () => {
    const recipient = await createAgency('TJ');
    const burst = Array.from({ length: 300 }, () => routed([recipient]));
    const firstPart = readServerSentEvents(url(), recipient.key, {
      eventName: 'delivery',
      enough: (events) => events.length >= 120,
    });
    // Keyed by alert: spread over the partitions, so batches of several partitions commit interleaved.
    await producer.send({
      topic: Topic.AlertsRouted,
      messages: burst.map((m) => ({ key: m.alertId, value: JSON.stringify(m) })),
    });
    const before = await firstPart;
    const rest = await readServerSentEvents(url(), recipient.key, {
      eventName: 'delivery',
      lastEventId: before[before.length - 1].id,
      enough: (events) => before.length + events.length >= burst.length,
    });
    const all = [...before, ...rest];
    const cursors = all.map((event) => Number(event.id));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(all.map((event) => event.data.alertId).sort()).toEqual(burst.map((m) => m.alertId).sort());
    // The inbox itself, in cursor order, is what the two streams showed.
    const rows = await queryDatabase<{ at_seq: string; delivery_id: string }>(
      `SELECT seq::text AS at_seq, delivery_id FROM gateway.inbox WHERE recipient = $1 ORDER BY seq`,
      [recipient.id],
    );
    expect(rows.map((row) => [row.at_seq, row.delivery_id])).toEqual(
      all.map((event) => [event.id, event.data.deliveryId]),
    );

    // Every item shown is named by a fact of a batch of at most 100 (the stream batch).
    const facts = await expectEventually(
      async () => {
        const found = await streamedFacts(recipient.id);
        const named = new Set(found.flatMap((fact) => fact.items.map((item) => item.deliveryId)));
        return all.every((event) => named.has(event.data.deliveryId)) ? found : false;
      },
      { timeoutMs: 30000, description: 'facts naming every item streamed' },
    );
    expect(facts.every((fact) => fact.count === fact.items.length && fact.count <= 100)).toBe(true);
  });
});
