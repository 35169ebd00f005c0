import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { AlertDeliveredMessage } from '@hub/contracts/messages';
import { Topic } from '@hub/contracts/topics';
import { KafkaMessageHandler } from '@hub/kafka/message-handler';
import { InboxService } from './inbox.service';

@Controller()
export class DeliveriesConsumer {
  constructor(
    private readonly messages: KafkaMessageHandler,
    private readonly inbox: InboxService,
  ) {}

  @EventPattern(Topic.AlertsDelivered)
  async onDelivery(@Payload() payload: unknown, @Ctx() context: KafkaContext): Promise<void> {
    await this.messages.handle(context, AlertDeliveredMessage, payload, (delivery) => this.inbox.store(delivery));
  }
}
