import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PgWakeups } from '@hub/database/pg-wakeups';
import { GatewayConfig } from '../gateway.config';

export const INBOX_CHANNEL = 'gateway_inbox';

/** A recipient's inbox holds committed rows up to `lastSeq` (its counter after a delivery transaction). */
export interface InboxTail {
  recipient: string;
  lastSeq: number;
}

/**
 * Null: anything may have committed (the LISTEN connection was lost and is back, or a payload this replica cannot
 * read): every stream must look.
 */
export type InboxWake = (tails: readonly InboxTail[] | null) => void;

/** The NOTIFY payload the delivery statement sends, `<recipient> <lastSeq>` (agency ids hold no space). */
export function parseTail(payload: string | undefined): InboxTail | null {
  if (!payload) return null;
  const space = payload.lastIndexOf(' ');
  const lastSeq = Number(payload.slice(space + 1));
  if (space <= 0 || !Number.isSafeInteger(lastSeq)) return null;
  return { recipient: payload.slice(0, space), lastSeq };
}

/**
 * Tells the inbox streams when deliveries commit. On this replica the deliveries consumer calls committed() right
 * after its commit (no round trip through the database); the other replicas hear the NOTIFY the delivery statement
 * sends, which reaches this replica too and then names nothing its streams have not been told already.
 */
@Injectable()
export class InboxNotifier implements OnModuleInit, OnModuleDestroy {
  private readonly wakeups: PgWakeups;
  private readonly listeners = new Set<InboxWake>();

  constructor(config: GatewayConfig) {
    this.wakeups = new PgWakeups(config.databaseUrl, INBOX_CHANNEL, 'agency-gateway-listen');
  }

  onModuleInit(): Promise<void> {
    return this.wakeups.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.wakeups.stop();
  }

  /** After a delivery transaction of this replica committed. */
  committed(tails: readonly InboxTail[]): void {
    if (tails.length === 0) return;
    for (const listener of this.listeners) listener(tails);
  }

  /** `onWake` hears every commit, this replica's and (NOTIFY) the others'; `onShutdown` when the service stops. */
  subscribe(onWake: InboxWake, onShutdown: () => void): () => void {
    this.listeners.add(onWake);
    const unsubscribe = this.wakeups.subscribe(
      null,
      (payload) => {
        const tail = parseTail(payload);
        onWake(tail ? [tail] : null);
      },
      onShutdown,
    );
    return () => {
      this.listeners.delete(onWake);
      unsubscribe();
    };
  }
}
