import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PgWakeups } from '@hub/database/pg-wakeups';
import { CoordinationConfig } from '../coordination.config';

export const FEED_CHANNEL = 'coordination_feed';

/** Wakes feed streams when a feed entry commits (any payload), and ends them on shutdown. */
@Injectable()
export class FeedNotifier implements OnModuleInit, OnModuleDestroy {
  private readonly wakeups: PgWakeups;

  constructor(config: CoordinationConfig) {
    this.wakeups = new PgWakeups(config.databaseUrl, FEED_CHANNEL, 'coordination-node-listen');
  }

  onModuleInit(): Promise<void> {
    return this.wakeups.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.wakeups.stop();
  }

  subscribe(onEntry: () => void, onShutdown: () => void): () => void {
    return this.wakeups.subscribe(null, onEntry, onShutdown);
  }
}
