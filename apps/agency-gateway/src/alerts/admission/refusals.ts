import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { HubService } from '@hub/contracts/topics';
import { CONTENT_COMMITMENT_SCHEME, newContentSalt, problemsCommitment } from '@hub/merkle/content-commitment';
import { AuditPublisher, auditMessage } from '@hub/kafka/audit.publisher';
import { OutboxService } from '@hub/kafka/outbox.service';
import { FieldError, HubError } from '@hub/platform/errors';
import { GatewayConfig } from '../../gateway.config';
import { RejectionsRepository } from '../persistence/rejections.repository';
import { boundedProblems } from './bounded-problems';

/** Every refusal is audited before it is answered: a rejected body (400) and a denied access (404) alike. */
@Injectable()
export class Refusals {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly rejections: RejectionsRepository,
    private readonly outbox: OutboxService,
    private readonly audit: AuditPublisher,
    private readonly config: GatewayConfig,
  ) {}

  /** Audits the problems of a refused request, then answers 400 with them. */
  async refuse(principal: Principal, alertId: string | null, problems: FieldError[]): Promise<never> {
    await this.recordRejection(principal, alertId, problems);
    throw HubError.validation(problems);
  }

  /**
   * Paths and messages can echo what was sent (a property is named by its key, a message may quote a value), so the
   * fact holds how many problems there were and a salted commitment to them; the problems and the salt stay in
   * gateway.rejections, keyed by the fact's eventId, for the configured default retention or until the alert is erased.
   */
  async recordRejection(principal: Principal, alertId: string | null, problems: FieldError[]): Promise<void> {
    const { problems: recorded, problemCount } = boundedProblems(problems);
    const salt = newContentSalt();
    const commitment = problemsCommitment(salt, { problems: recorded });
    const eventId = randomUUID();
    const ids = await this.dataSource.transaction(async (manager) => {
      await this.rejections.within(manager).insert({
        eventId,
        sender: principal.agencyId,
        keyId: principal.keyId,
        alertId,
        problems: recorded,
        salt,
        commitment,
        retainUntil: new Date(Date.now() + this.config.RETENTION_DEFAULT_SECONDS * 1000),
      });
      return this.outbox.enqueue(manager, [
        auditMessage(HubService.AgencyGateway, {
          eventId,
          type: AuditEventType.AlertRejected,
          actor: actorOf(principal),
          alertId: alertId ?? undefined,
          details: { problemCount, problemsCommitment: { scheme: CONTENT_COMMITMENT_SCHEME, hash: commitment } },
        }),
      ]);
    });
    await this.outbox.publish(ids);
  }

  /** Audits an access to an alert the caller may not have, then answers 404: to it, the alert does not exist. */
  async notFound(principal: Principal, alertId: string, action: string, reason: string): Promise<never> {
    await this.recordDenial(principal, alertId, action, reason);
    throw HubError.notFound('alert');
  }

  /** The access.denied fact of a refused action on an alert (its answer is the caller's to give). */
  async recordDenial(principal: Principal, alertId: string, action: string, reason: string): Promise<void> {
    await this.audit.publish([
      { type: AuditEventType.AccessDenied, actor: actorOf(principal), alertId, reason, details: { action } },
    ]);
  }
}
