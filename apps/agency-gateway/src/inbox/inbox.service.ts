import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AlertDeliveredMessage, AlertRoutedMessage, MatchNoticeMessage } from '@hub/contracts/messages';
import { AuditFact, AuditPublisher } from '@hub/kafka/audit.publisher';
import { InboxItem, inboxItem, InboxRow } from '../alerts/alert-views';
import { InboxNotifier, InboxTail } from './inbox.notifier';
import { firstOfEach, InboxEntry, legacyEntry, noticeEntry, routedEntries } from './inbox-entries';
import { STORE_SQL, storeParams, StoredRow } from './inbox-store.sql';
import { RecentIds } from './recent-ids';
import { traceEvent } from '@hub/observability/tracing';

/** How many acknowledged delivery facts each generation of InboxService.announced holds (two: ~10 MB at most). */
const ANNOUNCED_PER_GENERATION = 50_000;

/** Each agency's inbox: deliveries and match notices stored exactly once, in one gap-free sequence per recipient. */
@Injectable()
export class InboxService {
  /** deliveryIds whose `alert.delivered` fact this process saw acknowledged (a redelivery need not send it again) */
  private readonly announced = new RecentIds(ANNOUNCED_PER_GENERATION);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditPublisher,
    private readonly notifier: InboxNotifier,
  ) {}

  /**
   * Stores consecutive deliveries at once (see store). Idempotent: a redelivered message (same deliveryId) changes
   * nothing. Each delivery's audit event is durable in Kafka before this resolves.
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

  /** Hit notices (POST /v1/hits), like match notices: once each, in the owner's sequence, audited as delivered. */
  async storeHitNotices(entries: readonly InboxEntry[]): Promise<void> {
    await this.store(entries);
  }

  /**
   * One statement for the whole batch (STORE_SQL), plus, only when the batch holds a withdrawal or a cancel, the two
   * follow-ups of enforceWithdrawals in the same transaction. Then this replica's open streams of the recipients
   * written are woken in-process (other replicas hear the NOTIFY sent at commit), and the `alert.delivered` facts
   * are sent in one send: for the deliveries stored now, and for those an earlier attempt stored whose fact this
   * process has not seen acknowledged (the attempt failed after its commit, or ran in a process that is gone). The
   * offset is resolved only after this resolves, so a crash between the commit and the send loses no fact, and the
   * audit log keeps one fact per eventId.
   */
  private async store(entries: readonly InboxEntry[]): Promise<void> {
    const deliveries = firstOfEach(entries);
    if (deliveries.length === 0) return;
    const params = storeParams(deliveries);
    const needsFollowUp = deliveries.some((d) => d.withdrawn || d.kind === 'cancel');
    const rows: StoredRow[] = needsFollowUp
      ? await this.dataSource.transaction(async (manager) => {
          const stored: StoredRow[] = await manager.query(STORE_SQL, params);
          await this.enforceWithdrawals(manager, stored, deliveries);
          return stored;
        })
      : await this.dataSource.query(STORE_SQL, params);
    const tails: InboxTail[] = [];
    const seqOf = new Map<string, number>();
    for (const row of rows) {
      if (row.delivery_id === null) tails.push({ recipient: row.recipient, lastSeq: Number(row.seq) });
      else seqOf.set(row.delivery_id, Number(row.seq));
    }
    this.notifier.committed(tails);
    traceEvent('inbox streams woken', { recipients: tails.length });
    const unannounced = deliveries.filter((delivery) => !this.announced.has(delivery.deliveryId.toLowerCase()));
    await this.audit.publish(
      unannounced.map((delivery) => {
        const seq = seqOf.get(delivery.deliveryId.toLowerCase());
        if (seq === undefined) throw new Error(`delivery ${delivery.deliveryId} neither stored nor found`);
        return {
          eventId: `delivered:${delivery.deliveryId}`,
          type: AuditEventType.AlertDelivered,
          actor: { service: 'agency-gateway' },
          alertId: delivery.alertId,
          version: delivery.version,
          recipient: delivery.recipient,
          details: {
            deliveryId: delivery.deliveryId,
            kind: delivery.kind,
            sender: delivery.sender,
            inboxSeq: seq,
            ...delivery.auditDetails,
          },
        };
      }),
    );
    for (const delivery of unannounced) this.announced.add(delivery.deliveryId.toLowerCase());
  }

  /**
   * Withdrawn means gone: a recipient an alert was withdrawn from no longer gets its content from this hub (the
   * earlier deliveries' content is removed from its inbox), and a later cancel reaches it without the sender's
   * reason, unless a later version made it a recipient again. Runs in the delivery transaction, after the insert
   * (so it sees the rows the batch itself stored), on the rows stored now.
   */
  private async enforceWithdrawals(
    manager: EntityManager,
    stored: readonly StoredRow[],
    deliveries: readonly InboxEntry[],
  ): Promise<void> {
    const seqOf = new Map(
      stored.filter((row) => row.delivery_id !== null && row.fresh).map((row) => [row.delivery_id, row.seq]),
    );
    const fresh = deliveries.flatMap((delivery) => {
      const seq = seqOf.get(delivery.deliveryId.toLowerCase());
      return seq === undefined ? [] : [{ delivery, seq }];
    });
    const withdrawn = fresh.filter(({ delivery }) => delivery.withdrawn);
    if (withdrawn.length > 0) {
      await manager.query(
        `UPDATE gateway.inbox i SET has_content = false FROM unnest($1::text[], $2::uuid[], $3::bigint[]) AS w(recipient, alert_id, seq)
         WHERE i.recipient = w.recipient AND i.alert_id = w.alert_id AND i.seq < w.seq AND i.has_content`,
        [
          withdrawn.map(({ delivery }) => delivery.recipient),
          withdrawn.map(({ delivery }) => delivery.alertId),
          withdrawn.map(({ seq }) => seq),
        ],
      );
    }
    const cancels = fresh.filter(({ delivery }) => delivery.kind === 'cancel' && !delivery.withdrawn);
    if (cancels.length > 0) {
      await manager.query(
        `UPDATE gateway.inbox i SET cancel_reason = NULL FROM unnest($1::text[], $2::uuid[], $3::bigint[]) AS c(recipient, alert_id, seq)
         WHERE i.recipient = c.recipient AND i.alert_id = c.alert_id AND i.seq = c.seq
           AND (SELECT p.withdrawn FROM gateway.inbox p WHERE p.recipient = c.recipient AND p.alert_id = c.alert_id AND p.seq < c.seq
                AND p.kind NOT IN ('match', 'hit') ORDER BY p.seq DESC LIMIT 1)`,
        [
          cancels.map(({ delivery }) => delivery.recipient),
          cancels.map(({ delivery }) => delivery.alertId),
          cancels.map(({ seq }) => seq),
        ],
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
    const rows: InboxRow[] = await this.dataSource.query(
      `SELECT * FROM gateway.inbox_items WHERE recipient = $1 AND delivery_id = $2`,
      [recipient, deliveryId],
    );
    return rows.length > 0 ? inboxItem(rows[0]) : null;
  }

  /** An inbox item asked for that is not the caller's (or does not exist): a denied access, audited. */
  async recordDenied(principal: Principal, deliveryId: string): Promise<void> {
    await this.audit.publish([
      {
        type: AuditEventType.AccessDenied,
        actor: actorOf(principal),
        reason: 'not-your-delivery',
        details: { action: 'inbox-item', deliveryId },
      },
    ]);
  }

  /**
   * The new items of several streams in one statement: for each (recipient, after) pair, at most `limit` items
   * after that cursor, in cursor order. Keyed by streamKey(recipient, after).
   */
  async newItems(
    streams: readonly { recipient: string; after: number }[],
    limit: number,
  ): Promise<Map<string, InboxItem[]>> {
    const found = new Map<string, InboxItem[]>();
    if (streams.length === 0) return found;
    const rows: (InboxRow & { stream_after: string })[] = await this.dataSource.query(
      `SELECT s.after::text AS stream_after, i.* FROM unnest($1::text[], $2::bigint[]) AS s(recipient, after)
       CROSS JOIN LATERAL (SELECT * FROM gateway.inbox_items v WHERE v.recipient = s.recipient AND v.seq > s.after ORDER BY v.seq LIMIT $3) i
       ORDER BY i.recipient, s.after, i.seq`,
      [streams.map((s) => s.recipient), streams.map((s) => String(s.after)), limit],
    );
    for (const row of rows) {
      const key = streamKey(row.recipient, Number(row.stream_after));
      const items = found.get(key) ?? [];
      items.push(inboxItem(row));
      found.set(key, items);
    }
    return found;
  }

  /**
   * Who saw which alert versions: one fact per page or stream batch (not per item, so that what one request can
   * make the log hold is bounded), naming every (alertId, version, deliveryId) it showed; audited durably before
   * the items are handed out. An empty page showed nothing and records nothing.
   */
  async recordSeen(principal: Principal, items: InboxItem[], how: 'read' | 'streamed'): Promise<void> {
    await this.recordBatches([{ principal, items }], how);
  }

  /** The stream batches of one wake: one fact each, all in one send. */
  async recordStreamed(batches: readonly { principal: Principal; items: InboxItem[] }[]): Promise<void> {
    await this.recordBatches(batches, 'streamed');
  }

  private async recordBatches(
    batches: readonly { principal: Principal; items: InboxItem[] }[],
    how: 'read' | 'streamed',
  ): Promise<void> {
    const facts: AuditFact[] = batches
      .filter(({ items }) => items.length > 0)
      .map(({ principal, items }) => ({
        type: how === 'read' ? AuditEventType.InboxRead : AuditEventType.InboxStreamed,
        actor: actorOf(principal),
        details: {
          count: items.length,
          fromCursor: items[0].cursor,
          toCursor: items[items.length - 1].cursor,
          items: items.map((item) =>
            item.roomMessage
              ? {
                  roomId: item.roomMessage.roomId,
                  messageId: item.roomMessage.messageId,
                  deliveryId: item.deliveryId,
                  kind: item.kind,
                }
              : { alertId: item.alertId, version: item.version, deliveryId: item.deliveryId, kind: item.kind },
          ),
        },
      }));
    if (facts.length > 0) await this.audit.publish(facts);
  }
}

/** Which stream a row of newItems belongs to. */
export function streamKey(recipient: string, after: number): string {
  return `${recipient} ${after}`;
}
