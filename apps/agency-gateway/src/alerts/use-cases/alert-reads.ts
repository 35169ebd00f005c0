import { Injectable } from '@nestjs/common';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AuditPublisher } from '@hub/kafka/audit.publisher';
import { HubError } from '@hub/platform/errors';
import { RecipientAlertView, RecipientState, SenderAlertView, SentAlertSummary } from '../alert-views';
import { Refusals } from '../admission/refusals';
import { AcksRepository } from '../persistence/acks.repository';
import { AlertRecord, AlertsRepository } from '../persistence/alerts.repository';
import { AlertVersionsRepository } from '../persistence/alert-versions.repository';
import { DeliveriesRepository } from '../persistence/deliveries.repository';

/**
 * Reads of alerts: the sender sees its alert's current version and each recipient's delivery and ack state, a
 * recipient the latest version delivered to it, anyone else a 404 (audited). One read fact per request.
 */
@Injectable()
export class AlertReads {
  constructor(
    private readonly alerts: AlertsRepository,
    private readonly versions: AlertVersionsRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly acks: AcksRepository,
    private readonly refusals: Refusals,
    private readonly audit: AuditPublisher,
  ) {}

  async read(principal: Principal, alertId: string): Promise<SenderAlertView | RecipientAlertView> {
    const alert = await this.alerts.find(alertId);
    if (alert && alert.sender === principal.agencyId) {
      const view = await this.senderView(alert);
      await this.audit.publish([
        {
          type: AuditEventType.AlertRead,
          actor: actorOf(principal),
          alertId,
          version: view.version,
          details: { as: 'sender' },
        },
      ]);
      return goneIfErased(view, alert.erasedAt);
    }
    const delivered = await this.deliveries.latestTo(principal.agencyId, alertId);
    if (!delivered)
      return this.refusals.notFound(principal, alertId, 'read', alert ? 'not-a-recipient' : 'no-such-alert');
    await this.audit.publish([
      {
        type: AuditEventType.AlertRead,
        actor: actorOf(principal),
        alertId,
        version: delivered.version,
        details: { as: 'recipient' },
      },
    ]);
    return goneIfErased(
      {
        alertId,
        version: delivered.version,
        kind: delivered.kind,
        sender: delivered.sender,
        deliveredAt: delivered.deliveredAt.toISOString(),
        cancelReason: delivered.cancelReason,
        // Withdrawn means gone (the inbox no longer holds the content either; see InboxService.enforceWithdrawals).
        alert: delivered.withdrawn ? null : delivered.alert,
        signature: delivered.withdrawn ? null : delivered.signature,
        withdrawn: delivered.withdrawn,
      },
      alert?.erasedAt ?? null,
    );
  }

  /** The sender's own alerts, newest first, with their current version's headline; one audit fact per request. */
  async listSent(principal: Principal, limit: number): Promise<{ items: SentAlertSummary[] }> {
    const rows = await this.alerts.listSent(principal.agencyId, limit);
    const items = rows.map((row) => ({
      alertId: row.alertId,
      version: row.currentVersion,
      state: row.state,
      headline: row.headline,
      category: row.category,
      tlp: row.tlp,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      ...(row.erasedAt ? { erased: true as const, erasedAt: row.erasedAt.toISOString() } : {}),
    }));
    if (items.length > 0) {
      await this.audit.publish([
        {
          type: AuditEventType.AlertRead,
          actor: actorOf(principal),
          details: { as: 'sender-list', alertIds: items.map((i) => i.alertId) },
        },
      ]);
    }
    return { items };
  }

  private async senderView(alert: AlertRecord): Promise<SenderAlertView> {
    const current = await this.versions.find(alert.alertId, alert.currentVersion);
    if (!current) throw new Error(`alert ${alert.alertId} has no version ${alert.currentVersion}`);
    const deliveries = await this.deliveries.latestPerRecipient(alert.alertId);
    const acks = await this.acks.latestPerRecipient(alert.alertId);
    const ackBy = new Map(acks.map((a) => [a.recipient, a]));
    const recipients: RecipientState[] = deliveries.map((d) => {
      const ack = ackBy.get(d.recipient);
      return {
        agencyId: d.recipient,
        deliveredVersion: d.version,
        deliveredKind: d.kind,
        deliveredAt: d.deliveredAt.toISOString(),
        ack: ack ? { version: ack.version, status: ack.status, note: ack.note, at: ack.ackedAt.toISOString() } : null,
      };
    });
    return {
      alertId: alert.alertId,
      version: alert.currentVersion,
      state: alert.state,
      sender: alert.sender,
      receivedAt: current.receivedAt.toISOString(),
      cancelReason: current.cancelReason,
      alert: current.content,
      signature: current.signature,
      recipients,
    };
  }
}

/** The one place a read of an erased alert becomes a 410: the view's metadata, without content. */
function goneIfErased<T extends { alertId: string; alert: unknown; cancelReason?: string | null }>(
  view: T,
  erasedAt: Date | null,
): T {
  if (!erasedAt) return view;
  const { alert: _content, cancelReason: _reason, ...metadata } = view;
  throw HubError.gone({ ...metadata, erased: true, erasedAt: erasedAt.toISOString() });
}
