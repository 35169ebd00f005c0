import { Injectable } from '@nestjs/common';
import { kafkaMetrics, partitionLabels } from '@hub/observability/kafka-metrics';

/** A partition whose current message keeps failing: it is being waited out, not dropped. */
export interface StalledPartition {
  consumer: string;
  topic: string;
  partition: number;
  offset: string;
  since: string;
  attempts: number;
  error: string;
}

/** Failures in a row before /health reports the partition (a single retry after a blip is not news). */
export const STALL_REPORT_AFTER_ATTEMPTS = 3;

/**
 * What this process's consumers are waiting out, for /health. A consumer never drops a message because of a
 * failure that is not the message's own; this is where that wait becomes visible to an operator.
 */
@Injectable()
export class ConsumerStatus {
  private readonly stalled = new Map<string, StalledPartition>();
  private deadLettered = 0;

  failing(
    origin: { consumer: string; topic: string; partition: number; offset: string },
    error: Error,
  ): StalledPartition {
    const id = `${origin.consumer}/${origin.topic}/${origin.partition}`;
    const previous = this.stalled.get(id);
    const entry: StalledPartition = {
      ...origin,
      since: previous && previous.offset === origin.offset ? previous.since : new Date().toISOString(),
      attempts: previous && previous.offset === origin.offset ? previous.attempts + 1 : 1,
      error: error.message.slice(0, 300),
    };
    this.stalled.set(id, entry);
    kafkaMetrics.partitionStalled.set(
      partitionLabels(origin.consumer, origin.topic, origin.partition),
      entry.attempts >= STALL_REPORT_AFTER_ATTEMPTS ? 1 : 0,
    );
    return entry;
  }

  recovered(origin: { consumer: string; topic: string; partition: number }): void {
    if (!this.stalled.delete(`${origin.consumer}/${origin.topic}/${origin.partition}`)) return;
    kafkaMetrics.partitionStalled.set(partitionLabels(origin.consumer, origin.topic, origin.partition), 0);
  }

  countDeadLettered(): void {
    this.deadLettered++;
  }

  /** Partitions that have failed STALL_REPORT_AFTER_ATTEMPTS times or more on their current message. */
  stalledPartitions(): StalledPartition[] {
    return [...this.stalled.values()].filter((entry) => entry.attempts >= STALL_REPORT_AFTER_ATTEMPTS);
  }

  /** Messages this process has dead-lettered since it started. */
  deadLetteredHere(): number {
    return this.deadLettered;
  }
}
