import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { AlertSubmittedMessage } from '@hub/contracts/messages';
import { Topic } from '@hub/contracts/topics';
import { KafkaMessageHandler } from '@hub/kafka/message-handler';
import { RoutingService } from './routing.service';

@Controller()
export class SubmissionsConsumer {
  constructor(
    private readonly messages: KafkaMessageHandler,
    private readonly routing: RoutingService,
  ) {}

  @EventPattern(Topic.AlertsSubmitted)
  async onSubmitted(@Payload() payload: unknown, @Ctx() context: KafkaContext): Promise<void> {
    await this.messages.handle(context, AlertSubmittedMessage, payload, (message, attempt) => this.routing.route(message, attempt.last));
  }
}
