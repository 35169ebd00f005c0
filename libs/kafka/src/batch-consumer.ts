import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { Topic } from '@hub/contracts/topics';
import {
  forgetUnassigned,
  kafkaMetrics,
  noteReportedPartition,
  partitionLabels,
} from '@hub/observability/kafka-metrics';
import { CombinedCalls } from './combined-calls';
import { restartWhenAbandoned } from './consumer-restart';
import { KAFKA_CLIENT } from './kafka.options';
import { BatchAttempt, ConsumedMessage, ConsumerStoppingError, KafkaMessageHandler } from './message-handler';

const GROUP_JOIN_WAIT_MS = 60_000;

export interface BatchConsumerOptions<T extends object> {
  /** Consumer group id, used exactly as given. */
  groupId: string;
  /** Every message of a handle() call comes from one of these (BatchAttempt.topic says which). */
  topics: readonly Topic[];
  messageClass: new () => T;
  /**
   * Handles messages in one database transaction: consecutive messages of one partition or, combined, of several
   * partitions of one topic (each partition's in order). Must be idempotent: after a failure or a rebalance a
   * batch is delivered again.
   */
  handle: (messages: T[], attempt: BatchAttempt) => Promise<void>;
  /** Most messages per handle() call. */
  maxBatch: number;
  /** Partitions handled at once; order within a partition is kept. */
  partitionsConsumedConcurrently?: number;
  /**
   * Whether batches of different partitions of one topic that arrive while another is being handled share the next
   * handle() call (CombinedCalls: one transaction for all of them); true unless said otherwise. Then one call's
   * messages come from several partitions of its topic, each partition's in order.
   */
  combinePartitions?: boolean;
  /**
   * For consumers off the send → inbox path (the audit facts): after a fetch that brought fewer than
   * GATHER_BELOW messages, wait this long before the next fetch, so that what arrives meanwhile comes in one batch
   * instead of one fetch, one transaction and one offset commit each (docs/decisions/009-hot-path.md, "Audit
   * consumers gather"). Never at rest (no fetch brings anything) and never under load (fetches are large).
   */
  gatherMs?: number;
}

/** A fetch smaller than this is followed by the consumer's gatherMs pause. */
export const GATHER_BELOW = 32;
/** The gatherMs of the consumers of audit facts (the audit log, the live feed): what they add to an audit fact's way. */
export const AUDIT_GATHER_MS = 100;

/**
 * Consumers for high-volume topics whose handlers write many messages in one transaction (kafkajs eachBatch),
 * next to Nest's one-message-at-a-time @EventPattern consumer. Same delivery rules (KafkaMessageHandler.handleMany):
 * an offset is resolved only after its batch is committed to the database, only a message at fault itself is
 * dead-lettered, every other failure is waited out. See docs/decisions/002-delivery-guarantees.md.
 */
@Injectable()
export class KafkaBatchConsumers implements OnModuleDestroy {
  private readonly logger = new Logger(KafkaBatchConsumers.name);
  private readonly consumers: Consumer[] = [];
  private stopping = false;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly messages: KafkaMessageHandler,
  ) {}

  /** Joins the group and starts consuming; resolves once the group is joined (or after a bounded wait). */
  async start<T extends object>(options: BatchConsumerOptions<T>): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
    });
    this.consumers.push(consumer);
    const joined = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.logger.warn({ groupId: options.groupId }, 'consumer group not joined yet; continuing');
        resolve();
      }, GROUP_JOIN_WAIT_MS);
      const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        remove();
        resolve();
      });
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
      forgetUnassigned(options.groupId, payload.memberAssignment),
    );
    restartWhenAbandoned(
      consumer,
      async () => {
        const abandoned = this.consumers.indexOf(consumer);
        if (abandoned >= 0) this.consumers.splice(abandoned, 1);
        await this.start(options);
      },
      () => this.stopping,
      this.logger,
    );
    const concurrency = options.partitionsConsumedConcurrently ?? 3;
    const combined =
      options.combinePartitions !== false && concurrency > 1
        ? new CombinedCalls(options.handle, options.maxBatch)
        : null;
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: concurrency,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        for (let start = 0; start < batch.messages.length; start += options.maxBatch) {
          if (!isRunning() || isStale()) return;
          const chunk = batch.messages.slice(start, start + options.maxBatch);
          const stopping = () => !isRunning() || isStale();
          const contexts = chunk.map((message) =>
            consumed(options.groupId, batch.topic, batch.partition, message, heartbeat, stopping),
          );
          try {
            await this.messages.handleMany(
              contexts,
              options.messageClass,
              options.handle,
              combined ? (m, a) => combined.call(m, a) : undefined,
            );
          } catch (error) {
            // Stopping or rebalanced mid-wait: nothing of this chunk is resolved, so it is consumed again.
            if (error instanceof ConsumerStoppingError) return;
            throw error;
          }
          resolveOffset(chunk[chunk.length - 1].offset);
          recordHandled(options.groupId, batch, chunk.length, chunk[chunk.length - 1].offset);
          this.logger.debug(
            {
              groupId: options.groupId,
              topic: batch.topic,
              partition: batch.partition,
              from: chunk[0].offset,
              to: chunk[chunk.length - 1].offset,
            },
            'batch handled and resolved',
          );
          await commitOffsetsIfNecessary();
          await heartbeat();
        }
        if (options.gatherMs && batch.messages.length < GATHER_BELOW && isRunning() && !isStale())
          await new Promise((resolve) => setTimeout(resolve, options.gatherMs));
      },
    });
    await joined;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.consumers.map((consumer) => consumer.disconnect().catch(() => undefined)));
  }
}

/**
 * Metrics of a handled chunk, from what the fetch already carried (the partition's high watermark): no request to
 * the broker. Lag is what the partition held beyond this chunk when it was fetched.
 */
function recordHandled(
  groupId: string,
  batch: { topic: string; partition: number; highWatermark: string },
  size: number,
  lastOffset: string,
): void {
  const labels = partitionLabels(groupId, batch.topic, batch.partition);
  kafkaMetrics.consumedBatchSize.observe(labels, size);
  kafkaMetrics.consumedOffset.set(labels, Number(lastOffset));
  kafkaMetrics.consumerLag.set(labels, Math.max(0, Number(batch.highWatermark) - Number(lastOffset) - 1));
  kafkaMetrics.lastConsumed.set(labels, Date.now() / 1000);
  noteReportedPartition(groupId, batch.topic, batch.partition);
}

function consumed(
  groupId: string,
  topic: string,
  partition: number,
  message: KafkaMessage,
  heartbeat: () => Promise<void>,
  isStopping: () => boolean,
): ConsumedMessage {
  return {
    isStopping,
    getTopic: () => topic,
    getPartition: () => partition,
    getMessage: () => message,
    getHeartbeat: () => heartbeat,
    getGroupId: () => groupId,
  };
}
