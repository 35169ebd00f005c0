import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AlertDeliveredMessage, AlertRoutedMessage, MatchNoticeMessage } from '@hub/contracts/messages';
import { Topic } from '@hub/contracts/topics';
import { KafkaBatchConsumers } from '@hub/kafka/batch-consumer';
import { InboxService } from './inbox.service';
import { traced } from '@hub/observability/tracing';

/**
 * Routed versions land in the inboxes a batch per statement (InboxService.store), fanned out to their recipients. A consumer group of its own: the service's Nest consumer
 * (reference data, credentials) subscribes to other topics, and a group's members must share their subscriptions.
 */
export const ROUTED_CONSUMER_GROUP = 'agency-gateway-routed';
const DELIVERIES_BATCH_MAX = 200;
/**
 * Drains the superseded per-recipient deliveries topic (messages written before an upgrade) in the group that consumed
 * it before, so it goes on from that group's committed offsets.
 */
export const LEGACY_DELIVERIES_CONSUMER_GROUP = 'agency-gateway-deliveries';
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
      groupId: ROUTED_CONSUMER_GROUP,
      topics: [Topic.AlertsRouted],
      messageClass: AlertRoutedMessage,
      maxBatch: DELIVERIES_BATCH_MAX,
      partitionsConsumedConcurrently: 3,
      handle: (routed) => traced('store inbox deliveries', () => this.inbox.storeRouted(routed)),
    });
    await this.consumers.start({
      groupId: LEGACY_DELIVERIES_CONSUMER_GROUP,
      topics: [Topic.AlertsDelivered],
      messageClass: AlertDeliveredMessage,
      maxBatch: DELIVERIES_BATCH_MAX,
      handle: (deliveries) => traced('store inbox deliveries', () => this.inbox.storeLegacy(deliveries)),
    });
    await this.consumers.start({
      groupId: MATCH_NOTICES_CONSUMER_GROUP,
      topics: [Topic.MatchNotices],
      messageClass: MatchNoticeMessage,
      maxBatch: DELIVERIES_BATCH_MAX,
      handle: (notices) => traced('store match notices', () => this.inbox.storeNotices(notices)),
    });
  }
}
