import { Logger } from '@nestjs/common';
import { Consumer } from 'kafkajs';

const RESTART_BACKOFF_MS = 2_000;
const RESTART_MAX_BACKOFF_MS = 30_000;

/**
 * kafkajs restarts a crashed consumer only after a retriable error; after others (seen: "Failed to find group
 * coordinator" while the broker restarts) the consumer stays down for good, and its partitions with it. A
 * dependency going away must never end consumption: when `consumer` crashes and kafkajs will not restart it,
 * `restart` (which starts a new consumer) is called after a backoff, doubling up to 30 s while it fails, until it
 * succeeds or `stopping()` says the service is shutting down.
 */
export function restartWhenAbandoned(
  consumer: Consumer,
  restart: () => Promise<void>,
  stopping: () => boolean,
  logger: Logger,
): void {
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart || stopping()) return;
    logger.error(
      { groupId: payload.groupId, err: payload.error.message },
      'consumer crashed and kafkajs will not restart it: starting a new one',
    );
    const attempt = (delay: number): void => {
      setTimeout(() => {
        if (stopping()) return;
        restart().catch((error: Error) => {
          logger.warn({ groupId: payload.groupId, err: error.message }, 'consumer restart failed; retrying');
          attempt(Math.min(delay * 2, RESTART_MAX_BACKOFF_MS));
        });
      }, delay).unref();
    };
    attempt(RESTART_BACKOFF_MS);
  });
}
