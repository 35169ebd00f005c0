import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AlertSubmittedMessage } from '@hub/contracts/messages';
import { Topic } from '@hub/contracts/topics';
import { KafkaBatchConsumers } from '@hub/kafka/batch-consumer';
import { CorrelationService } from '../correlation/correlation.service';
import { RoutingService } from './routing.service';
import { traced } from '@hub/observability/tracing';

/**
 * Submissions are routed many per transaction. A consumer group of its own, since the service's Nest consumer
 * (reference data, credentials) subscribes to other topics and a group's members must share their subscriptions.
 */
export const ROUTING_CONSUMER_GROUP = 'coordination-node-routing';
const ROUTING_BATCH_MAX = 100;

@Injectable()
export class SubmissionsConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: KafkaBatchConsumers,
    private readonly routing: RoutingService,
    private readonly correlation: CorrelationService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.start({
      groupId: ROUTING_CONSUMER_GROUP,
      topics: [Topic.AlertsSubmitted],
      messageClass: AlertSubmittedMessage,
      maxBatch: ROUTING_BATCH_MAX,
      partitionsConsumedConcurrently: 3,
      handle: async (messages, { heartbeat }) => {
        const count = { 'messaging.batch.message_count': messages.length };
        await traced('route alerts', () => this.routing.routeAll(messages, heartbeat), count);
        // After routing has committed: who now holds each version decides what each owner may be told about a
        // match. Separate transactions, so a correlation failure can never hold back a delivery; both steps are
        // idempotent, so a retry re-runs routing harmlessly.
        await traced('correlate alerts', () => this.correlation.indexAll(messages), count);
      },
    });
  }
}
