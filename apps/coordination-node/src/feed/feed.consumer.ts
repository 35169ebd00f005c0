import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AuditEvent } from '@hub/contracts/audit-event';
import { isFactOwnedBy } from '@hub/contracts/fact-owners';
import { AUDIT_TOPICS, producerOfAuditTopic } from '@hub/contracts/topics';
import { AUDIT_GATHER_MS, KafkaBatchConsumers } from '@hub/kafka/batch-consumer';
import { RoomsOverview } from '../rooms/rooms-overview.service';
import { FeedService } from './feed.service';

/**
 * Every service publishes every exchange fact on its own audit topic; the feed is built from there, many events per
 * transaction. It has its own consumer group so that routing (the node's main consumer) never waits behind it.
 */
export const FEED_CONSUMER_GROUP = 'coordination-node-feed';
const FEED_BATCH_MAX = 500;

@Injectable()
export class FeedConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger(FeedConsumer.name);

  constructor(
    private readonly consumers: KafkaBatchConsumers,
    private readonly feed: FeedService,
    private readonly rooms: RoomsOverview,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.start({
      groupId: FEED_CONSUMER_GROUP,
      topics: AUDIT_TOPICS,
      messageClass: AuditEvent,
      maxBatch: FEED_BATCH_MAX,
      partitionsConsumedConcurrently: 1,
      gatherMs: AUDIT_GATHER_MS,
      // Room activity first: both are idempotent by eventId, so a batch retried after either failed counts once.
      handle: async (events, { heartbeat, topic }) => {
        const owned = this.ownedFacts(events, topic);
        await this.rooms.recordActivity(owned);
        await this.feed.recordAll(owned, heartbeat);
      },
    });
  }

  /**
   * The facts their topic's writer may state (FACT_OWNERS): a routing decision from the gateway's topic, or a GREEN
   * alert.updated from the node's, would make the feed show what the centre may not see. The others are left out
   * and reported; the audit log, which reads the same topics with the same table, records the integrity alarm.
   */
  private ownedFacts(events: AuditEvent[], topic: string): AuditEvent[] {
    const producer = producerOfAuditTopic(topic);
    if (producer === undefined) throw new Error(`audit events consumed from ${topic}, which is not an audit topic`);
    const owned = events.filter((event) => isFactOwnedBy(event.type, producer));
    if (owned.length === events.length) return events;
    for (const event of events.filter((e) => !isFactOwnedBy(e.type, producer))) {
      this.logger.error(
        { eventId: event.eventId, type: event.type, alertId: event.alertId, offeredBy: producer, topic },
        'integrity alarm: a fact from a service that does not own its type was left out of the feed',
      );
    }
    return owned;
  }
}
