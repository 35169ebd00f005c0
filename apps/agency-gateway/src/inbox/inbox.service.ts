import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AlertDeliveredMessage } from '@hub/contracts/messages';
import { auditMessage, AuditPublisher } from '@hub/kafka/audit.publisher';
import { OutboxService } from '@hub/kafka/outbox.service';
import { InboxItem, inboxItem, InboxRow } from '../alerts/alert-views';
import { INBOX_CHANNEL } from './inbox.notifier';

/** Each agency's inbox: deliveries stored exactly once, in one gap-free sequence per recipient. */
@Injectable()
export class InboxService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly audit: AuditPublisher,
  ) {}

  /**
   * Idempotent: a redelivered message (same deliveryId) changes nothing. The per-recipient counter row is locked
   * for the transaction, so sequence numbers commit in order and a cursor never skips a later-committing row.
   */
  async store(delivery: AlertDeliveredMessage): Promise<void> {
    const ids = await this.dataSource.transaction(async (manager) => {
      const existing: unknown[] = await manager.query(`SELECT 1 FROM gateway.inbox WHERE delivery_id = $1`, [delivery.deliveryId]);
      if (existing.length > 0) return [];
      const [{ last_seq: seq }]: { last_seq: string }[] = await manager.query(
        `INSERT INTO gateway.inbox_counters (recipient, last_seq) VALUES ($1, 1)
         ON CONFLICT (recipient) DO UPDATE SET last_seq = gateway.inbox_counters.last_seq + 1 RETURNING last_seq`,
        [delivery.recipient],
      );
      await manager.query(
        `INSERT INTO gateway.inbox (recipient, seq, delivery_id, alert_id, version, kind, sender, alert, cancel_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [delivery.recipient, seq, delivery.deliveryId, delivery.alertId, delivery.version, delivery.kind, delivery.sender, delivery.alert ? JSON.stringify(delivery.alert) : null, delivery.cancelReason ?? null],
      );
      await manager.query(`SELECT pg_notify($1, $2)`, [INBOX_CHANNEL, delivery.recipient]);
      return this.outbox.enqueue(manager, [
        auditMessage({
          eventId: `delivered:${delivery.deliveryId}`,
          type: AuditEventType.AlertDelivered,
          actor: { service: 'agency-gateway' },
          alertId: delivery.alertId,
          version: delivery.version,
          recipient: delivery.recipient,
          details: { deliveryId: delivery.deliveryId, kind: delivery.kind, sender: delivery.sender, inboxSeq: Number(seq) },
        }),
      ]);
    });
    await this.outbox.publish(ids);
  }

  async page(recipient: string, after: number, limit: number): Promise<InboxItem[]> {
    const rows: InboxRow[] = await this.dataSource.query(
      `SELECT * FROM gateway.inbox WHERE recipient = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [recipient, after, limit],
    );
    return rows.map(inboxItem);
  }

  /** Who saw which alert version: audited (durably) before the items are handed out. */
  async recordSeen(principal: Principal, items: InboxItem[], how: 'read' | 'streamed'): Promise<void> {
    if (items.length === 0) return;
    await this.audit.publish(
      items.map((item) => ({
        type: how === 'read' ? AuditEventType.InboxRead : AuditEventType.InboxStreamed,
        actor: actorOf(principal),
        alertId: item.alertId,
        version: item.version,
        details: { deliveryId: item.deliveryId, kind: item.kind, cursor: item.cursor },
      })),
    );
  }
}
