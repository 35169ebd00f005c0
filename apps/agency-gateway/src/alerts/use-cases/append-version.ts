import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Principal } from '@hub/auth/principal';
import { AlertContent } from '@hub/contracts/alert/alert-content';
import { CancelAlertRequest, UpdateAlertRequest } from '@hub/contracts/alert/requests';
import { parseContent } from '@hub/contracts/alert/validate';
import { DeliveryKind } from '@hub/contracts/messages';
import { OutboxUnavailableError } from '@hub/kafka/dependency-outage';
import { OutboxService } from '@hub/kafka/outbox.service';
import { ErrorCode, HubError } from '@hub/platform/errors';
import { IdentifierIndex } from '../identifier-index';
import { GatewayConfig } from '../../gateway.config';
import { ContentCheck } from '../admission/content-check';
import { Refusals } from '../admission/refusals';
import { SenderCheck } from '../admission/sender-check';
import { SignatureCheck } from '../admission/signature-check';
import { AlertRecord, AlertsRepository } from '../persistence/alerts.repository';
import { AlertVersionsRepository } from '../persistence/alert-versions.repository';
import { retainUntil, storedVersion, versionMessages } from '../stored-version';

type VersionContent = { content: AlertContent; cancelReason?: string; signature?: string };

/**
 * The sender changes its alert: an update (a full new content on a baseVersion) or a cancel (a reason; recall reaches
 * every earlier recipient). One change of an alert at a time, under its row lock; answered once Kafka has it.
 */
@Injectable()
export class AppendVersion {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly alerts: AlertsRepository,
    private readonly versions: AlertVersionsRepository,
    private readonly outbox: OutboxService,
    private readonly senders: SenderCheck,
    private readonly content: ContentCheck,
    private readonly signatures: SignatureCheck,
    private readonly refusals: Refusals,
    private readonly config: GatewayConfig,
    private readonly identifiers: IdentifierIndex,
  ) {}

  async update(
    principal: Principal,
    alertId: string,
    body: unknown,
    signature?: string,
  ): Promise<{ alertId: string; version: number }> {
    await this.senders.assertSender(principal, alertId, 'update');
    const parsed = await this.content.validContent(principal, alertId, body, UpdateAlertRequest);
    const { baseVersion, ...rest } = parsed;
    const content = Object.assign(new AlertContent(), rest);
    await this.signatures.assertSignature(principal, alertId, content, signature);
    return this.append(principal, alertId, 'update', baseVersion, async () => ({ content, signature }));
  }

  async cancel(principal: Principal, alertId: string, body: unknown): Promise<{ alertId: string; version: number }> {
    await this.senders.assertSender(principal, alertId, 'cancel');
    const parsed = await parseContent(body, CancelAlertRequest);
    if (!parsed.ok) return this.refusals.refuse(principal, alertId, parsed.errors);
    return this.append(principal, alertId, 'cancel', null, async (versions, current) => ({
      content: await versions.content(alertId, current.currentVersion),
      cancelReason: parsed.value.reason,
    }));
  }

  private async append(
    principal: Principal,
    alertId: string,
    kind: Exclude<DeliveryKind, 'alert'>,
    baseVersion: number | null,
    contentFor: (versions: AlertVersionsRepository, current: AlertRecord) => Promise<VersionContent>,
  ): Promise<{ alertId: string; version: number }> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.dataSource.transaction(async (manager) => {
        const alerts = this.alerts.within(manager);
        const current = await alerts.lockForChange(alertId);
        if (!current || current.sender !== principal.agencyId) {
          return this.refusals.notFound(principal, alertId, kind, current ? 'not-the-sender' : 'no-such-alert');
        }
        assertChangeable(current, baseVersion);
        // Version n+1 is written only once version n is in Kafka, so that it can never get there first: outbox rows
        // are published from memory by whichever replica wrote them (docs/decisions/002-delivery-guarantees.md).
        if (current.previousUnpublished) return null;
        const next = current.currentVersion + 1;
        const { content, cancelReason, signature } = await contentFor(this.versions.within(manager), current);
        const stored = storedVersion(principal, kind, alertId, next, content, cancelReason, signature);
        const messages = versionMessages(principal, stored);
        // An update's content decides the retention from now on; a cancel keeps the content, so its retention too.
        const ids = await alerts.appendVersion(
          stored,
          kind === 'cancel' ? 'cancelled' : 'active',
          kind === 'update' ? retainUntil(stored.message, this.config.retentionPolicy) : null,
          messages,
          kind === 'update' ? this.identifiers.of(stored.message.alert) : undefined,
        );
        return { version: next, ids, messages };
      });
      if (outcome) {
        await this.outbox.publish(outcome.ids, outcome.messages);
        return { alertId, version: outcome.version };
      }
      // The previous version's writer has not published it yet (or died doing so): drain the outbox in order, then
      // try once more; still pending means Kafka is not answering (503, the client retries).
      if (attempt === 2)
        throw new OutboxUnavailableError(`the version of ${alertId} before this change is not yet in Kafka`);
      await this.outbox.flush();
    }
  }
}

/** An erased alert is gone (410), a cancelled one final (409), and an update must name the current version (409). */
function assertChangeable(current: AlertRecord, baseVersion: number | null): void {
  if (current.erasedAt) {
    throw HubError.gone({
      alertId: current.alertId,
      version: current.currentVersion,
      state: current.state,
      sender: current.sender,
      erasedAt: current.erasedAt.toISOString(),
    });
  }
  if (current.state === 'cancelled') {
    throw new HubError(ErrorCode.Conflict, 'The alert is cancelled; it cannot change any more', [
      { path: 'alertId', message: 'alert is cancelled' },
    ]);
  }
  if (baseVersion !== null && baseVersion !== current.currentVersion) {
    throw new HubError(
      ErrorCode.StaleVersion,
      `baseVersion ${baseVersion} is not the current version (${current.currentVersion})`,
      [{ path: 'baseVersion', message: `current version is ${current.currentVersion}` }],
    );
  }
}
