import type { BatchAttempt } from './message-handler';

interface Waiter<T> {
  messages: T[];
  attempt: BatchAttempt;
  resolve: () => void;
  reject: (error: unknown) => void;
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
      queue.push({ messages, attempt, resolve, reject });
      this.waiting.set(attempt.topic, queue);
      void this.drain(attempt.topic);
    });
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
          await this.handle(
            taken.flatMap((waiter) => waiter.messages),
            { topic, heartbeat: taken[0].attempt.heartbeat },
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
