import { Injectable, Logger } from '@nestjs/common';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AuditPublisher } from '@hub/kafka/audit.publisher';
import { ErrorCode, HubError } from '@hub/platform/errors';

/**
 * Auditors are audited too: every query is published as audit.queried, and acknowledged by Kafka, before it is
 * answered. If it cannot be recorded, it is not answered (503).
 */
@Injectable()
export class AuditorQueriesRecorder {
  private readonly logger = new Logger(AuditorQueriesRecorder.name);

  constructor(private readonly audit: AuditPublisher) {}

  async record(principal: Principal, endpoint: string, query: object = {}): Promise<void> {
    try {
      await this.audit.publish([
        { type: AuditEventType.AuditQueried, actor: actorOf(principal), details: { endpoint, query: { ...query } } },
      ]);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, endpoint }, 'could not record an auditor query');
      throw new HubError(
        ErrorCode.Unavailable,
        'The query cannot be recorded in the audit log right now, so it is not answered; try again shortly',
      );
    }
  }
}
