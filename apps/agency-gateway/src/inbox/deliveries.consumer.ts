import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AlertDeliveredMessage, MatchNoticeMessage } from '@hub/contracts/messages';
import { Topic } from '@hub/contracts/topics';
import { KafkaBatchConsumers } from '@hub/kafka/batch-consumer';
import { InboxService } from './inbox.service';

/**
 * Deliveries land in the inboxes many per transaction. A consumer group of its own: the service's Nest consumer
 * (reference data, credentials) subscribes to other topics, and a group's members must share their subscriptions.
 */
export const DELIVERIES_CONSUMER_GROUP = 'agency-gateway-deliveries';
const DELIVERIES_BATCH_MAX = 200;
/** Match notices go to the same inboxes, from their own topic (a notice is not an alert delivery), in a group of their own. */
export const MATCH_NOTICES_CONSUMER_GROUP = 'agency-gateway-match-notices';

@Injectable()
export class DeliveriesConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: KafkaBatchConsumers,
    private readonly inbox: InboxService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.start({
      groupId: DELIVERIES_CONSUMER_GROUP,
      topics: [Topic.AlertsDelivered],
      messageClass: AlertDeliveredMessage,
      maxBatch: DELIVERIES_BATCH_MAX,
      partitionsConsumedConcurrently: 3,
      handle: (deliveries) => this.inbox.storeAll(deliveries),
    });
    await this.consumers.start({
      groupId: MATCH_NOTICES_CONSUMER_GROUP,
      topics: [Topic.MatchNotices],
      messageClass: MatchNoticeMessage,
      maxBatch: DELIVERIES_BATCH_MAX,
      handle: (notices) => this.inbox.storeNotices(notices),
    });
  }
}
