import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import { CoordinationConfig } from '../coordination.config';

export const FEED_CHANNEL = 'coordination_feed';
const WAKE = 'wake';
const SHUTDOWN = 'shutdown';

/**
 * Wakes feed streams when a feed entry commits. NOTIFY is sent at commit by whichever node instance stored the
 * entry, so a stream on any instance hears it. Streams read by cursor, so a missed or coalesced notification can
 * delay an event but never lose one (the same design as the gateway's inbox stream).
 */
@Injectable()
export class FeedNotifier implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(FeedNotifier.name);
  private readonly events = new EventEmitter();
  private client: Client | null = null;
  private closed = false;

  constructor(private readonly config: CoordinationConfig) {
    this.events.setMaxListeners(0);
  }

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  /**
   * Ends every open stream first: an SSE response never finishes by itself, and the HTTP server would wait
   * for it forever on shutdown. Clients reconnect (to another instance, or to this one once it is back) with
   * Last-Event-ID and miss nothing.
   */
  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    this.events.emit(SHUTDOWN);
    await this.client?.end().catch(() => undefined);
  }

  /** Calls `onEntry` whenever a feed entry commits and `onShutdown` when the service stops; returns the unsubscribe function. */
  subscribe(onEntry: () => void, onShutdown: () => void): () => void {
    this.events.on(WAKE, onEntry);
    this.events.on(SHUTDOWN, onShutdown);
    return () => {
      this.events.off(WAKE, onEntry);
      this.events.off(SHUTDOWN, onShutdown);
    };
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: 'coordination-node-listen' });
    client.on('notification', () => this.events.emit(WAKE));
    client.on('error', (error) => {
      this.logger.warn({ err: error.message }, 'feed LISTEN connection lost; reconnecting');
      this.reconnectSoon();
    });
    await client.connect();
    await client.query(`LISTEN ${FEED_CHANNEL}`);
    this.client = client;
  }

  private reconnectSoon(): void {
    if (this.closed) return;
    const old = this.client;
    this.client = null;
    void old?.end().catch(() => undefined);
    setTimeout(() => {
      if (this.closed) return;
      this.connect()
        // Wake every stream: anything committed while we were deaf is picked up by its cursor read.
        .then(() => this.events.emit(WAKE))
        .catch(() => this.reconnectSoon());
    }, 1000).unref();
  }
}
