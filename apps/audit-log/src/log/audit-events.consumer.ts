import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { AuditEvent } from '@hub/contracts/audit-event';
import { Topic } from '@hub/contracts/topics';
import { KafkaMessageHandler } from '@hub/kafka/message-handler';
import { AuditLogAppender } from './audit-log.appender';

@Controller()
export class AuditEventsConsumer {
  private readonly logger = new Logger(AuditEventsConsumer.name);

  constructor(
    private readonly messages: KafkaMessageHandler,
    private readonly appender: AuditLogAppender,
  ) {}

  @EventPattern(Topic.AuditEvents)
  async onAuditEvent(@Payload() payload: unknown, @Ctx() context: KafkaContext): Promise<void> {
    await this.messages.handle(context, AuditEvent, payload, async (event) => {
      const result = await this.appender.append(event, context.getHeartbeat());
      this.logger.debug(
        { topic: context.getTopic(), partition: context.getPartition(), offset: context.getMessage().offset, ...result, type: event.type, alertId: event.alertId },
        result.appended ? 'appended' : 'already in the log',
      );
    });
  }
}
