import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { AlertSubmittedMessage } from '@hub/contracts/messages';
import { Topic } from '@hub/contracts/topics';
import { KafkaMessageHandler } from '@hub/kafka/message-handler';
import { CorrelationService } from '../correlation/correlation.service';
import { RoutingService } from './routing.service';

@Controller()
export class SubmissionsConsumer {
  constructor(
    private readonly messages: KafkaMessageHandler,
    private readonly routing: RoutingService,
    private readonly correlation: CorrelationService,
  ) {}

  @EventPattern(Topic.AlertsSubmitted)
  async onSubmitted(@Payload() payload: unknown, @Ctx() context: KafkaContext): Promise<void> {
    await this.messages.handle(context, AlertSubmittedMessage, payload, async (message, attempt) => {
      await this.routing.route(message, attempt.last);
      // After routing: who now holds this version decides what each owner may be told about a match. Both steps
      // are idempotent, so a retry after a correlation failure re-runs routing harmlessly.
      await this.correlation.index(message);
    });
  }
}
