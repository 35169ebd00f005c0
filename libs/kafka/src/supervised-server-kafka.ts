import { Logger } from '@nestjs/common';
import { ServerKafka } from '@nestjs/microservices';

const RESTART_BACKOFF_MS = 2_000;
const RESTART_MAX_BACKOFF_MS = 30_000;

/**
 * Nest's Kafka server (the one-message-at-a-time @EventPattern consumer: reference data and credentials), restarted
 * when it crashes for good. kafkajs restarts a crashed consumer only after a retriable error; after others (seen:
 * "Failed to find group coordinator" while the broker restarts) it stays down, and a replica that stops consuming
 * credentials would never learn of a revocation. A dependency going away must never end consumption.
 */
export class SupervisedServerKafka extends ServerKafka {
  private readonly supervisor = new Logger('KafkaServer');
  private closing = false;

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this.consumer;
    if (!consumer) return;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart || this.closing) return;
      this.supervisor.error({ groupId: payload.groupId, err: payload.error.message }, 'consumer crashed and kafkajs will not restart it: starting a new one');
      this.restartAfter(RESTART_BACKOFF_MS);
    });
  }

  override async close(): Promise<void> {
    this.closing = true;
    await super.close();
  }

  private restartAfter(delay: number): void {
    setTimeout(() => {
      if (this.closing) return;
      void (async () => {
        await super.close().catch(() => undefined);
        await this.listen((error?: unknown) => {
          if (!error) return;
          this.supervisor.warn({ err: (error as Error).message }, 'consumer restart failed; retrying');
          this.restartAfter(Math.min(delay * 2, RESTART_MAX_BACKOFF_MS));
        });
      })();
    }, delay).unref();
  }
}
