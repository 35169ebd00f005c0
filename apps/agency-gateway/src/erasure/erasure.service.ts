import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AlertErasedMessage, ErasureCause } from '@hub/contracts/messages';
import { HubService, Topic } from '@hub/contracts/topics';
import { auditMessage } from '@hub/kafka/audit.publisher';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { OutboxService } from '@hub/kafka/outbox.service';
import {
  COMMITMENT_DOMAINS,
  CONTENT_COMMITMENT_SCHEME,
  newContentSalt,
  saltedCommitment,
} from '@hub/merkle/content-commitment';
import { HubError } from '@hub/platform/errors';
import { RejectionsRepository } from '../alerts/persistence/rejections.repository';
import { ErasureRepository } from './erasure.repository';

/** Alerts (and, besides, rejections) erased per retention run and per fact: bounds one transaction and one audit entry. */
export const RETENTION_BATCH_MAX = 200;

/**
 * Erasure of an alert's content, salts and identifiers, at once in the gateway's tables and, through
 * Topic.AlertErasures (outbox, same transaction), in every other service. The audit log keeps its commitments:
 * they reveal nothing without the salt, and the leaves, hence every checkpoint, stay as they were.
 */
@Injectable()
export class ErasureService {
  private readonly logger = new Logger(ErasureService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  /** An admin's lawful request: one audited fact naming who asked and why. Erasing twice is one erasure (202 again). */
  async eraseOnRequest(
    principal: Principal,
    alertId: string,
    reason: string,
  ): Promise<{ alertId: string; erasedAt: string }> {
    const erasedAt = new Date();
    // The reason is free text (a court case, a person's name): the fact commits to it; reason and salt stay in the
    // erasure record, disclosed to auditors (GET /v1/audit/alerts/{id}/erasure/commitment).
    const reasonSalt = newContentSalt();
    const reasonCommitment = saltedCommitment(COMMITMENT_DOMAINS.erasureReason, reasonSalt, { reason });
    const outcome = await this.dataSource.transaction(async (manager) => {
      const repository = new ErasureRepository(manager);
      const existing = await repository.exists(alertId);
      if (!existing) throw HubError.notFound('alert');
      if (existing.erased_at) return { ids: [], erasedAt: existing.erased_at };
      const [erased] = await repository.erase(
        [alertId],
        {
          cause: 'request',
          requestedBy: { agencyId: principal.agencyId, keyId: principal.keyId },
          reason,
          reasonSalt: reasonSalt.toString('hex'),
        },
        erasedAt,
      );
      // Erased in between by the retention job: that erasure stands.
      if (!erased) return { ids: [], erasedAt: (await repository.exists(alertId))?.erased_at ?? erasedAt };
      const ids = await this.outbox.enqueue(manager, [
        erasureMessage(alertId, 'request', erasedAt),
        auditMessage(HubService.AgencyGateway, {
          eventId: `erased:${alertId}`,
          type: AuditEventType.AlertErased,
          actor: actorOf(principal),
          alertId,
          version: erased.version,
          details: {
            cause: 'request',
            reasonCommitment: { scheme: CONTENT_COMMITMENT_SCHEME, hash: reasonCommitment },
            sender: erased.sender,
          },
        }),
      ]);
      return { ids, erasedAt };
    });
    await this.outbox.publish(outcome.ids);
    this.logger.log({ alertId, by: principal.keyId }, 'alert erased on request');
    return { alertId, erasedAt: outcome.erasedAt.toISOString() };
  }

  /**
   * One run of the retention job: every alert whose retention ended (up to the batch size), and the problems recorded of
   * refused requests whose retention ended (most have no alert to be erased with); one audited fact.
   */
  async sweepExpired(now = new Date()): Promise<{ alertIds: string[]; rejections: string[] }> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const repository = new ErasureRepository(manager);
      const due = await repository.due(now, RETENTION_BATCH_MAX);
      const erased = await repository.erase(due, { cause: 'retention' }, now);
      const rejections = await new RejectionsRepository(manager).eraseDue(now, RETENTION_BATCH_MAX);
      if (erased.length === 0 && rejections.length === 0) return { ids: [], erased, rejections };
      const messages: OutgoingMessage[] = erased.map((e) => erasureMessage(e.alertId, 'retention', now));
      messages.push(
        auditMessage(HubService.AgencyGateway, {
          type: AuditEventType.RetentionSwept,
          actor: { service: HubService.AgencyGateway },
          details: {
            cause: 'retention',
            count: erased.length,
            items: erased.map((e) => ({ alertId: e.alertId, version: e.version })),
            // Only when there were any, so that a sweep of alerts alone keeps the fact's earlier shape.
            ...(rejections.length > 0 ? { rejections: { count: rejections.length, eventIds: rejections } } : {}),
          },
        }),
      );
      return { ids: await this.outbox.enqueue(manager, messages), erased, rejections };
    });
    await this.outbox.publish(outcome.ids);
    if (outcome.erased.length > 0) this.logger.log({ count: outcome.erased.length }, 'retention ended: alerts erased');
    if (outcome.rejections.length > 0)
      this.logger.log({ count: outcome.rejections.length }, 'retention ended: rejection problems erased');
    return { alertIds: outcome.erased.map((e) => e.alertId), rejections: outcome.rejections };
  }
}

function erasureMessage(alertId: string, cause: ErasureCause, erasedAt: Date): OutgoingMessage {
  const value: AlertErasedMessage = { alertId, cause, erasedAt: erasedAt.toISOString() };
  return { topic: Topic.AlertErasures, key: alertId, value };
}
