import { SseFrame, SseFrameReader } from './sse-frames';

const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 15000;
const MIN_SERVER_RETRY_MS = 1000;

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

export interface LiveStreamOptions {
  /** The stream's path; `lastEventId` is null on a first connection (a resume sends it as Last-Event-ID). */
  path(lastEventId: string | null): string;
  /** Headers of every request (the Authorization header). */
  headers(): Record<string, string>;
  /** The event type that carries data; its id is remembered to resume from. */
  event: string;
  onData(data: string): void;
  /** Any other event type (e.g. the server's 'error'). */
  onOtherEvent?(frame: SseFrame): void;
  onStatus(status: StreamStatus): void;
  /** 401 or 403: the key is no longer accepted; the stream stops. */
  onRejected(status: number): void;
  /** For the browser's console: why the stream dropped (it is retried). */
  onDropped?(error: unknown): void;
}

/**
 * A server-sent event stream read with fetch(), resumed with Last-Event-ID after a drop: retried after 2 s, doubling
 * to 15 s, or after the server's `retry:`; back to 2 s once connected.
 */
export class LiveStream {
  private running = false;
  private lastEventId: string | null = null;
  private controller: AbortController | null = null;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: LiveStreamOptions) {}

  start(): void {
    this.running = true;
    this.connect();
  }

  /** Starts after the usual delay: for when what had to come first (e.g. the feed's head) failed. */
  startLater(error: unknown): void {
    this.running = true;
    this.scheduleReconnect(error);
  }

  /** Stops for good and forgets where it was (the next start begins afresh). */
  stop(): void {
    this.running = false;
    this.controller?.abort();
    this.controller = null;
    clearTimeout(this.retryTimer);
    this.lastEventId = null;
    this.retryMs = FIRST_RETRY_MS;
  }

  private connect(): void {
    if (!this.running) return;
    this.options.onStatus('connecting');
    const controller = new AbortController();
    this.controller = controller;
    const headers: Record<string, string> = { ...this.options.headers(), Accept: 'text/event-stream' };
    if (this.lastEventId) headers['Last-Event-ID'] = this.lastEventId;
    const current = () => this.controller === controller && this.running;
    fetch(this.options.path(this.lastEventId), { headers, cache: 'no-store', signal: controller.signal })
      .then((response) => {
        if (response.status === 401 || response.status === 403) {
          this.options.onRejected(response.status);
          return;
        }
        if (!response.ok || !response.body) throw new Error('HTTP ' + response.status);
        this.options.onStatus('live');
        this.retryMs = FIRST_RETRY_MS;
        return this.read(response.body.getReader(), controller);
      })
      .then(() => {
        if (current()) this.scheduleReconnect(new Error('stream ended'));
      })
      .catch((error: unknown) => {
        if (current() && !controller.signal.aborted) this.scheduleReconnect(error);
      });
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>, controller: AbortController): Promise<void> {
    const frames = new SseFrameReader();
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done || controller.signal.aborted) return;
      for (const frame of frames.push(chunk.value)) this.handle(frame);
    }
  }

  private handle(frame: SseFrame): void {
    if (frame.retryMs !== null) this.retryMs = Math.max(MIN_SERVER_RETRY_MS, frame.retryMs);
    if (frame.event === this.options.event) {
      if (frame.data.length === 0) return;
      if (frame.id) this.lastEventId = frame.id;
      this.options.onData(frame.data.join('\n'));
    } else {
      this.options.onOtherEvent?.(frame);
    }
  }

  private scheduleReconnect(error: unknown): void {
    this.options.onStatus('reconnecting');
    this.options.onDropped?.(error);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }
}
