import { Logger } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { Client } from 'pg';

const SHUTDOWN = Symbol('shutdown');

/**
 * Wake-ups from PostgreSQL NOTIFY on one channel. NOTIFY is sent at commit by whichever instance stored the
 * row, so a listener on any instance hears it. It is only a wake-up: readers go back to the table by cursor, so
 * a missed or coalesced notification can delay an event but never lose one. On reconnect every listener is
 * woken, since rows may have committed while the connection was down.
 */
export class PgWakeups {
  private readonly logger = new Logger(PgWakeups.name);
  private readonly events = new EventEmitter();
  private client: Client | null = null;
  private closed = false;
  private reconnecting = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly channel: string,
    private readonly applicationName: string,
  ) {
    this.events.setMaxListeners(0);
  }

  async start(): Promise<void> {
    await this.connect();
  }

  /** Ends every subscriber first (an open SSE response would otherwise hold the HTTP server open on shutdown). */
  async stop(): Promise<void> {
    this.closed = true;
    this.events.emit(SHUTDOWN);
    await this.client?.end().catch(() => undefined);
  }

  /**
   * `onWake` runs on every notification whose payload is `key` (any payload when key is null, which onWake then
   * gets; none after a reconnect, when anything may have committed), and `onShutdown` when the service stops.
   * Returns the unsubscribe function.
   */
  subscribe(key: string | null, onWake: (payload?: string) => void, onShutdown: () => void): () => void {
    const event = key ?? '*';
    this.events.on(event, onWake);
    this.events.on(SHUTDOWN, onShutdown);
    return () => {
      this.events.off(event, onWake);
      this.events.off(SHUTDOWN, onShutdown);
    };
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: this.applicationName });
    client.on('notification', (message) => {
      if (message.payload) this.events.emit(message.payload);
      this.events.emit('*', message.payload || undefined);
    });
    // A dying connection can emit several errors, and a failed connect one more: only the first error of the
    // current connection schedules a reconnect (reconnecting is single-flight), or every flap of the database
    // would multiply LISTEN connections until the server has no slots left (seen: 60 from one gateway).
    client.on('error', (error) => {
      if (this.client !== client || this.reconnecting) return;
      this.logger.warn({ err: error.message, channel: this.channel }, 'LISTEN connection lost; reconnecting');
      this.reconnectSoon();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private reconnectSoon(): void {
    if (this.closed || this.reconnecting) return;
    this.reconnecting = true;
    const old = this.client;
    this.client = null;
    void old?.end().catch(() => undefined);
    const attempt = (): void => {
      setTimeout(() => {
        if (this.closed) return;
        this.connect()
          .then(() => {
            this.reconnecting = false;
            // Rows may have committed while the connection was down: wake every listener.
            for (const name of this.events.eventNames()) if (name !== SHUTDOWN) this.events.emit(name);
          })
          .catch(() => attempt());
      }, 1000).unref();
    };
    attempt();
  }
}
