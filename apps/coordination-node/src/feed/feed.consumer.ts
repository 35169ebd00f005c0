import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AuditEvent } from '@hub/contracts/audit-event';
import { AUDIT_TOPICS } from '@hub/contracts/topics';
import { KafkaBatchConsumers } from '@hub/kafka/batch-consumer';
import { FeedService } from './feed.service';

/**
 * Every service publishes every exchange fact on its own audit topic; the feed is built from there, many events per
 * transaction. It has its own consumer group so that routing (the node's main consumer) never waits behind it.
 */
export const FEED_CONSUMER_GROUP = 'coordination-node-feed';
const FEED_BATCH_MAX = 500;

@Injectable()
export class FeedConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: KafkaBatchConsumers,
    private readonly feed: FeedService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.start({
      groupId: FEED_CONSUMER_GROUP,
      topics: AUDIT_TOPICS,
      messageClass: AuditEvent,
      maxBatch: FEED_BATCH_MAX,
      partitionsConsumedConcurrently: 1,
      handle: (events, { heartbeat }) => this.feed.recordAll(events, heartbeat),
    });
  }
}
