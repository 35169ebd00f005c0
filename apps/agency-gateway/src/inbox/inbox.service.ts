import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AlertDeliveredMessage, AlertRoutedMessage, InboxItemKind, MatchNoticeMessage } from '@hub/contracts/messages';
import { auditMessage, AuditPublisher } from '@hub/kafka/audit.publisher';
import { HubService } from '@hub/contracts/topics';
import { OutboxService } from '@hub/kafka/outbox.service';
import { InboxItem, inboxItem, InboxRow, MatchNoticeView } from '../alerts/alert-views';
import { INBOX_CHANNEL } from './inbox.notifier';
import { ERASED_NOTICE_TEXT } from '../erasure/erasure.repository';

/** One inbox row to store: an alert delivery or a match notice. */
interface InboxEntry {
  deliveryId: string;
  recipient: string;
  alertId: string;
  version: number;
  kind: InboxItemKind;
  sender: string;
  /** the row shows the content of (alertId, version), kept once in gateway.alert_versions with its signature */
  hasContent: boolean;
  /** set for a recall (and on a legacy delivery); null on a routed cancel: the row takes the reason the gateway accepted with the version */
  cancelReason: string | null;
  match: MatchNoticeView | null;
  /** a recall: see enforceWithdrawals */
  withdrawn: boolean;
  /** the alert was erased before this arrived: stored without content */
  erased?: boolean;
  /** audit details beyond deliveryId, kind, sender and inboxSeq */
  auditDetails: Record<string, unknown>;
}

/** What a recipient dropped by an update, or deactivated, is told instead of the sender's reason. */
const WITHDRAWN_REASON = 'You are no longer a recipient of this alert (withdrawn by an update).';

/** Each recipient of a routed version: one inbox row, content by reference (a cancel or a recall has none). */
function routedEntries(routed: AlertRoutedMessage): InboxEntry[] {
  return routed.deliveries.map((delivery) => ({
    deliveryId: delivery.deliveryId,
    recipient: delivery.recipient,
    alertId: routed.alertId,
    version: routed.version,
    kind: delivery.kind,
    sender: routed.sender,
    hasContent: delivery.kind !== 'cancel',
    cancelReason: delivery.withdrawn === true ? WITHDRAWN_REASON : null,
    match: null,
    withdrawn: delivery.withdrawn === true,
    auditDetails: {},
  }));
}

/**
 * A delivery written before AlertsRouted replaced AlertsDelivered (drained after an upgrade): its content is the
 * version the gateway accepted, so it is stored by reference like the others.
 */
function legacyEntry(delivery: AlertDeliveredMessage): InboxEntry {
  return {
    deliveryId: delivery.deliveryId,
    recipient: delivery.recipient,
    alertId: delivery.alertId,
    version: delivery.version,
    kind: delivery.kind,
    sender: delivery.sender,
    hasContent: Boolean(delivery.alert),
    cancelReason: delivery.cancelReason ?? null,
    match: null,
    withdrawn: delivery.withdrawn === true,
    auditDetails: {},
  };
}

/** A match notice is about the recipient's own alert: its sender is the recipient itself. */
function noticeEntry(notice: MatchNoticeMessage): InboxEntry {
  const match: MatchNoticeView = {
    correlationId: notice.correlationId,
    otherAgencyId: notice.otherAgencyId,
    otherAlertIds: notice.otherAlertIds,
    restricted: notice.restricted,
    text: notice.text,
    foundAt: notice.foundAt,
  };
  return {
    deliveryId: notice.noticeId,
    recipient: notice.recipient,
    alertId: notice.alertId,
    version: notice.version,
    kind: 'match',
    sender: notice.recipient,
    hasContent: false,
    cancelReason: null,
    match,
    withdrawn: false,
    auditDetails: { correlationId: notice.correlationId, otherAgencyId: notice.otherAgencyId, restricted: notice.restricted },
  };
}

/** Each agency's inbox: deliveries and match notices stored exactly once, in one gap-free sequence per recipient. */
@Injectable()
export class InboxService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly audit: AuditPublisher,
  ) {}

  /**
   * Stores consecutive deliveries in one transaction. Idempotent: a redelivered message (same deliveryId) changes
   * nothing. The counter rows of the recipients involved are locked first (in name order, so that two batches
   * cannot deadlock), so each recipient's sequence numbers commit in order and a cursor never skips a row that
   * commits later. Each stored delivery's audit event is durable in Kafka before this resolves.
   */
  async storeRouted(routed: readonly AlertRoutedMessage[]): Promise<void> {
    await this.store(routed.flatMap(routedEntries));
  }

  /** Deliveries from the superseded per-recipient topic, in flight when the hub was upgraded. */
  async storeLegacy(deliveries: readonly AlertDeliveredMessage[]): Promise<void> {
    await this.store(deliveries.map(legacyEntry));
  }

  /** Match notices, like deliveries: once each (noticeId), in the owner's sequence, audited as delivered. */
  async storeNotices(notices: readonly MatchNoticeMessage[]): Promise<void> {
    await this.store(notices.map(noticeEntry));
  }

  private async store(deliveries: readonly InboxEntry[]): Promise<void> {
    const ids = await this.dataSource.transaction(async (manager) => {
      const recipients = [...new Set(deliveries.map((d) => d.recipient))].sort();
      const counters: { recipient: string; last_seq: string }[] = await manager.query(
        `INSERT INTO gateway.inbox_counters (recipient, last_seq) SELECT r, 0 FROM unnest($1::text[]) AS r
         ON CONFLICT (recipient) DO UPDATE SET last_seq = gateway.inbox_counters.last_seq RETURNING recipient, last_seq`,
        [recipients],
      );
      const lastSeq = new Map(counters.map((row) => [row.recipient, Number(row.last_seq)]));
      const known: { delivery_id: string }[] = await manager.query(`SELECT delivery_id FROM gateway.inbox WHERE delivery_id = ANY($1::uuid[])`, [
        deliveries.map((d) => d.deliveryId),
      ]);
      const seen = new Set(known.map((row) => row.delivery_id));
      const fresh: { delivery: InboxEntry; seq: number }[] = [];
      for (const delivery of deliveries) {
        if (seen.has(delivery.deliveryId)) continue;
        seen.add(delivery.deliveryId);
        const seq = (lastSeq.get(delivery.recipient) ?? 0) + 1;
        lastSeq.set(delivery.recipient, seq);
        fresh.push({ delivery, seq });
      }
      if (fresh.length === 0) return [];
      // A delivery decided before its alert was erased, arriving after: stored without content, like the others.
      const erasedRows: { alert_id: string }[] = await manager.query(
        `SELECT alert_id FROM gateway.alerts WHERE alert_id = ANY($1::uuid[]) AND erased_at IS NOT NULL`,
        [[...new Set(fresh.map(({ delivery }) => delivery.alertId))]],
      );
      const erased = new Set(erasedRows.map((row) => row.alert_id));
      for (const { delivery } of fresh) {
        if (!erased.has(delivery.alertId.toLowerCase())) continue;
        Object.assign(delivery, { hasContent: false, cancelReason: null, erased: true });
        if (delivery.match) delivery.match = { ...delivery.match, text: ERASED_NOTICE_TEXT, otherAlertIds: [] };
      }
      const column = <T>(pick: (d: InboxEntry) => T) => fresh.map(({ delivery }) => pick(delivery));
      // A cancel's reason is the one the gateway accepted with the version (the routed message carries no text).
      await manager.query(
        `INSERT INTO gateway.inbox (recipient, seq, delivery_id, alert_id, version, kind, sender, has_content, cancel_reason, match, withdrawn, erased)
         SELECT e.recipient, e.seq, e.delivery_id, e.alert_id, e.version, e.kind, e.sender, e.has_content,
                COALESCE(e.cancel_reason, CASE WHEN e.kind = 'cancel' AND NOT e.withdrawn AND NOT e.erased THEN v.cancel_reason END),
                e.match, e.withdrawn, e.erased
         FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::uuid[], $5::int[], $6::text[], $7::text[], $8::boolean[], $9::text[], $10::jsonb[],
                     $11::boolean[], $12::boolean[])
              AS e(recipient, seq, delivery_id, alert_id, version, kind, sender, has_content, cancel_reason, match, withdrawn, erased)
         LEFT JOIN gateway.alert_versions v ON v.alert_id = e.alert_id AND v.version = e.version`,
        [
          column((d) => d.recipient),
          fresh.map(({ seq }) => String(seq)),
          column((d) => d.deliveryId),
          column((d) => d.alertId),
          column((d) => d.version),
          column((d) => d.kind),
          column((d) => d.sender),
          column((d) => d.hasContent),
          column((d) => d.cancelReason),
          column((d) => (d.match ? JSON.stringify(d.match) : null)),
          column((d) => d.withdrawn),
          column((d) => d.erased === true),
        ],
      );
      await this.enforceWithdrawals(manager, fresh);
      const touched = [...new Set(fresh.map(({ delivery }) => delivery.recipient))];
      await manager.query(
        `UPDATE gateway.inbox_counters c SET last_seq = v.last_seq FROM unnest($1::text[], $2::bigint[]) AS v(recipient, last_seq)
         WHERE c.recipient = v.recipient`,
        [touched, touched.map((r) => String(lastSeq.get(r)))],
      );
      await manager.query(`SELECT pg_notify($1, r) FROM unnest($2::text[]) AS r`, [INBOX_CHANNEL, touched]);
      return this.outbox.enqueue(
        manager,
        fresh.map(({ delivery, seq }) =>
          auditMessage(HubService.AgencyGateway, {
            eventId: `delivered:${delivery.deliveryId}`,
            type: AuditEventType.AlertDelivered,
            actor: { service: 'agency-gateway' },
            alertId: delivery.alertId,
            version: delivery.version,
            recipient: delivery.recipient,
            details: { deliveryId: delivery.deliveryId, kind: delivery.kind, sender: delivery.sender, inboxSeq: seq, ...delivery.auditDetails },
          }),
        ),
      );
    });
    await this.outbox.publish(ids);
  }

  /**
   * Withdrawn means gone: a recipient an alert was withdrawn from no longer gets its content from this hub (the
   * earlier deliveries' content is removed from its inbox), and a later cancel reaches it without the sender's
   * reason, unless a later version made it a recipient again. Runs in the delivery transaction, after the insert.
   */
  private async enforceWithdrawals(manager: EntityManager, fresh: readonly { delivery: InboxEntry; seq: number }[]): Promise<void> {
    const withdrawn = fresh.filter(({ delivery }) => delivery.withdrawn);
    if (withdrawn.length > 0) {
      await manager.query(
        `UPDATE gateway.inbox i SET has_content = false FROM unnest($1::text[], $2::uuid[], $3::bigint[]) AS w(recipient, alert_id, seq)
         WHERE i.recipient = w.recipient AND i.alert_id = w.alert_id AND i.seq < w.seq AND i.has_content`,
        [withdrawn.map(({ delivery }) => delivery.recipient), withdrawn.map(({ delivery }) => delivery.alertId), withdrawn.map(({ seq }) => String(seq))],
      );
    }
    const cancels = fresh.filter(({ delivery }) => delivery.kind === 'cancel' && !delivery.withdrawn);
    if (cancels.length > 0) {
      await manager.query(
        `UPDATE gateway.inbox i SET cancel_reason = NULL FROM unnest($1::text[], $2::uuid[], $3::bigint[]) AS c(recipient, alert_id, seq)
         WHERE i.recipient = c.recipient AND i.alert_id = c.alert_id AND i.seq = c.seq
           AND (SELECT p.withdrawn FROM gateway.inbox p WHERE p.recipient = c.recipient AND p.alert_id = c.alert_id AND p.seq < c.seq
                AND p.kind <> 'match' ORDER BY p.seq DESC LIMIT 1)`,
        [cancels.map(({ delivery }) => delivery.recipient), cancels.map(({ delivery }) => delivery.alertId), cancels.map(({ seq }) => String(seq))],
      );
    }
  }

  async page(recipient: string, after: number, limit: number): Promise<InboxItem[]> {
    const rows: InboxRow[] = await this.dataSource.query(
      `SELECT * FROM gateway.inbox_items WHERE recipient = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [recipient, after, limit],
    );
    return rows.map(inboxItem);
  }

  async item(recipient: string, deliveryId: string): Promise<InboxItem | null> {
    const rows: InboxRow[] = await this.dataSource.query(`SELECT * FROM gateway.inbox_items WHERE recipient = $1 AND delivery_id = $2`, [recipient, deliveryId]);
    return rows.length > 0 ? inboxItem(rows[0]) : null;
  }

  /** An inbox item asked for that is not the caller's (or does not exist): a denied access, audited. */
  async recordDenied(principal: Principal, deliveryId: string): Promise<void> {
    await this.audit.publish([{ type: AuditEventType.AccessDenied, actor: actorOf(principal), reason: 'not-your-delivery', details: { action: 'inbox-item', deliveryId } }]);
  }

  /**
   * Who saw which alert versions: one fact per page or stream batch (not per item, so that what one request can
   * make the log hold is bounded), naming every (alertId, version, deliveryId) it showed; audited durably before
   * the items are handed out. An empty page showed nothing and records nothing.
   */
  async recordSeen(principal: Principal, items: InboxItem[], how: 'read' | 'streamed'): Promise<void> {
    if (items.length === 0) return;
    await this.audit.publish([
      {
        type: how === 'read' ? AuditEventType.InboxRead : AuditEventType.InboxStreamed,
        actor: actorOf(principal),
        details: {
          count: items.length,
          fromCursor: items[0].cursor,
          toCursor: items[items.length - 1].cursor,
          items: items.map((item) => ({ alertId: item.alertId, version: item.version, deliveryId: item.deliveryId, kind: item.kind })),
        },
      },
    ]);
  }
}
