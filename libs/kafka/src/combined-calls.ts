import type { Context } from '@opentelemetry/api';
import { activeContext, inBatchSpan, runInContext, tracing } from '@hub/observability/tracing';
import type { BatchAttempt } from './message-handler';

interface Waiter<T> {
  messages: T[];
  attempt: BatchAttempt;
  resolve: () => void;
  reject: (error: unknown) => void;
  /** The caller's trace context (tracing on): the combined call runs in another caller's async chain. */
  trace?: Context;
}

/**
 * Group commit for a batch handler: concurrent calls for one topic (batches of its different partitions, which the
 * consumer hands over at once) become one call, so one transaction serves them all. While a call runs, the next
 * callers wait and go together in the following one; a caller that finds nothing running goes at once, so light
 * load pays no timer. Each caller's messages keep their order, and callers go in arrival order, so a partition's
 * order holds (its next batch is fetched only once this one returned).
 * A failed call fails every caller in it; each then falls back on its own (KafkaMessageHandler.handleMany), one
 * message at a time and no longer combined, so a message that fails holds back only its own partition.
 */
export class CombinedCalls<T> {
  private readonly waiting = new Map<string, Waiter<T>[]>();
  private readonly running = new Set<string>();

  constructor(
    private readonly handle: (messages: T[], attempt: BatchAttempt) => Promise<void>,
    /** Most messages in one combined call; a single caller with more still goes (alone). */
    private readonly maxMessages: number,
  ) {}

  call(messages: T[], attempt: BatchAttempt): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const queue = this.waiting.get(attempt.topic) ?? [];
      queue.push({ messages, attempt, resolve, reject, trace: tracing.enabled ? activeContext() : undefined });
      this.waiting.set(attempt.topic, queue);
      void this.drain(attempt.topic);
    });
  }

  /**
   * One caller: in its own trace context. Several: in a span inside their common trace, or linked to each of theirs.
   */
  private traced(taken: Waiter<T>[], call: () => Promise<void>): Promise<void> {
    if (!tracing.enabled) return call();
    const contexts = taken.map((waiter) => waiter.trace!);
    if (contexts.length === 1) return runInContext(contexts[0], call);
    const attributes = {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': taken[0].attempt.topic,
      'messaging.batch.message_count': taken.length,
    };
    return inBatchSpan(`process ${taken[0].attempt.topic}`, contexts, attributes, call);
  }

  private async drain(topic: string): Promise<void> {
    if (this.running.has(topic)) return;
    this.running.add(topic);
    try {
      const queue = this.waiting.get(topic)!;
      while (queue.length > 0) {
        let count = 1;
        let size = queue[0].messages.length;
        while (count < queue.length && size + queue[count].messages.length <= this.maxMessages)
          size += queue[count++].messages.length;
        const taken = queue.splice(0, count);
        try {
          await this.traced(taken, () =>
            this.handle(
              taken.flatMap((waiter) => waiter.messages),
              { topic, heartbeat: taken[0].attempt.heartbeat },
            ),
          );
          for (const waiter of taken) waiter.resolve();
        } catch (error) {
          for (const waiter of taken) waiter.reject(error);
        }
      }
      this.waiting.delete(topic);
    } finally {
      this.running.delete(topic);
    }
  }
}
