import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AuditEvent } from '@hub/contracts/audit-event';
import { AUDIT_TOPICS, producerOfAuditTopic } from '@hub/contracts/topics';
import { AUDIT_GATHER_MS, KafkaBatchConsumers } from '@hub/kafka/batch-consumer';
import { AuditConfig } from '../audit.config';
import { AuditLogAppender } from './audit-log.appender';
import { traced } from '@hub/observability/tracing';

/**
 * Its own consumer group (not the service's Nest consumer, which replicates credentials): a group's members must
 * subscribe to the same topics, or partitions go to a member with no handler for them.
 */
export const AUDIT_EVENTS_CONSUMER_GROUP = 'audit-log-events';
/** Each audit events topic has 6 partitions; batches of several partitions share one transaction (GroupCommit). */
const PARTITIONS_CONSUMED_CONCURRENTLY = 6;

@Injectable()
export class AuditEventsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: KafkaBatchConsumers,
    private readonly appender: AuditLogAppender,
    private readonly config: AuditConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.start({
      groupId: AUDIT_EVENTS_CONSUMER_GROUP,
      topics: AUDIT_TOPICS,
      messageClass: AuditEvent,
      maxBatch: this.config.AUDIT_APPEND_BATCH_MAX,
      partitionsConsumedConcurrently: PARTITIONS_CONSUMED_CONCURRENTLY,
      gatherMs: AUDIT_GATHER_MS,
      handle: async (events, { heartbeat, topic }) => {
        // Who wrote the events is the topic's owner: only that service's principal may write it (KAFKA_ACCESS).
        const producer = producerOfAuditTopic(topic);
        if (producer === undefined) throw new Error(`audit events consumed from ${topic}, which is not an audit topic`);
        await traced('append audit events', () => this.appender.appendAll(events, producer, heartbeat), {
          'messaging.batch.message_count': events.length,
        });
      },
    });
  }
}
