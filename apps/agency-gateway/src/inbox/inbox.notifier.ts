import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PgWakeups } from '@hub/database/pg-wakeups';
import { GatewayConfig } from '../gateway.config';

export const INBOX_CHANNEL = 'gateway_inbox';

/** Wakes an agency's inbox streams when a delivery to it commits (NOTIFY payload = recipient). */
@Injectable()
export class InboxNotifier implements OnModuleInit, OnModuleDestroy {
  private readonly wakeups: PgWakeups;

  constructor(config: GatewayConfig) {
    this.wakeups = new PgWakeups(config.databaseUrl, INBOX_CHANNEL, 'agency-gateway-listen');
  }

  onModuleInit(): Promise<void> {
    return this.wakeups.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.wakeups.stop();
  }

  subscribe(recipient: string, onWake: () => void, onShutdown: () => void): () => void {
    return this.wakeups.subscribe(recipient, onWake, onShutdown);
  }
}
