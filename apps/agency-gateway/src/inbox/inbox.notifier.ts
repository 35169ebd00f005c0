import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import { GatewayConfig } from '../gateway.config';

export const INBOX_CHANNEL = 'gateway_inbox';

/**
 * Wakes inbox streams when a delivery commits. PostgreSQL NOTIFY is sent at commit by whichever gateway
 * instance stored the delivery, so a stream on any instance hears it. Streams then read by cursor, so a missed
 * or coalesced notification can delay an event but never lose one.
 */
@Injectable()
export class InboxNotifier implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(InboxNotifier.name);
  private readonly events = new EventEmitter();
  private client: Client | null = null;
  private closed = false;

  constructor(private readonly config: GatewayConfig) {
    this.events.setMaxListeners(0);
  }

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
  }

  /** Calls `listener` whenever a delivery for `recipient` commits; returns the unsubscribe function. */
  subscribe(recipient: string, listener: () => void): () => void {
    this.events.on(recipient, listener);
    return () => this.events.off(recipient, listener);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: 'agency-gateway-listen' });
    client.on('notification', (message) => {
      if (message.payload) this.events.emit(message.payload);
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error.message }, 'inbox LISTEN connection lost; reconnecting');
      this.reconnectSoon();
    });
    await client.connect();
    await client.query(`LISTEN ${INBOX_CHANNEL}`);
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
        .then(() => {
          // Wake every stream: anything committed while we were deaf is picked up by its cursor read.
          for (const name of this.events.eventNames()) this.events.emit(name);
        })
        .catch(() => this.reconnectSoon());
    }, 1000).unref();
  }
}
