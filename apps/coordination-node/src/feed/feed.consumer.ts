import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { AuditEvent } from '@hub/contracts/audit-event';
import { Topic } from '@hub/contracts/topics';
import { KafkaMessageHandler } from '@hub/kafka/message-handler';
import { FeedService } from './feed.service';

/** Every service publishes every exchange fact on the audit topic; the feed is built from there. */
@Controller()
export class FeedConsumer {
  constructor(
    private readonly messages: KafkaMessageHandler,
    private readonly feed: FeedService,
  ) {}

  @EventPattern(Topic.AuditEvents)
  async onAuditEvent(@Payload() payload: unknown, @Ctx() context: KafkaContext): Promise<void> {
    await this.messages.handle(context, AuditEvent, payload, (event) => this.feed.record(event));
  }
}
