import { alertBody, createAgency, submitAccepted, testEnvironment, TestAgency } from '@hub/testing';

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
        if (fields.event === 'delivery') events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
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
    expect(fromStart.map((e) => [e.id, e.data.alertId])).toEqual([...received, ...resumed].map((e) => [e.id, e.data.alertId]));
  });

  it('refuses a malformed Last-Event-ID naming the header', async () => {
    const response = await fetch(`${env.gateway}/v1/inbox/stream`, { headers: { authorization: `Bearer ${recipient.key}`, 'last-event-id': 'abc' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).details[0].path).toBe('Last-Event-ID');
  });
});
