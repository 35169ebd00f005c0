export interface ServerSentEvent {
  id: string;
  event: string;
  data: any;
}

/**
 * Reads a Server-Sent Events stream (e.g. GET /v1/inbox/stream) until `enough(events)` holds, then disconnects.
 * Only events named `eventName` are kept; `lastEventId` resumes like a reconnecting client.
 */
export async function readServerSentEvents(
  url: string,
  key: string,
  {
    eventName,
    enough,
    lastEventId,
    timeoutMs = 60000,
  }: { eventName: string; enough: (events: ServerSentEvent[]) => boolean; lastEventId?: string; timeoutMs?: number },
): Promise<ServerSentEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: ServerSentEvent[] = [];
  try {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${key}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
      signal: controller.signal,
    });
    if (response.status !== 200) throw new Error(`${url}: ${response.status} ${await response.text()}`);
    if (!response.headers.get('content-type')?.includes('text/event-stream'))
      throw new Error(`${url}: not text/event-stream`);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    while (!enough(events)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`${url}: stream ended after ${events.length} events`);
      buffer += decoder.decode(value, { stream: true });
      let boundary: number;
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const fields = new Map<string, string>();
        for (const line of frame.split('\n')) {
          if (!line || line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
        }
        if (fields.get('event') === eventName)
          events.push({ id: fields.get('id')!, event: eventName, data: JSON.parse(fields.get('data')!) });
      }
    }
    return events;
  } catch (error) {
    if (controller.signal.aborted)
      throw new Error(`${url}: timed out after ${timeoutMs} ms with ${events.length} events`);
    throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
