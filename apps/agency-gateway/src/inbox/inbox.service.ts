import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AlertDeliveredMessage, AlertRoutedMessage, InboxItemKind, MatchNoticeMessage } from '@hub/contracts/messages';
import { AuditFact, AuditPublisher } from '@hub/kafka/audit.publisher';
import { InboxItem, inboxItem, InboxRow, MatchNoticeView } from '../alerts/alert-views';
import { INBOX_CHANNEL, InboxNotifier, InboxTail } from './inbox.notifier';
import { ERASED_NOTICE_TEXT } from '../erasure/erasure.repository';
import { RecentIds } from './recent-ids';

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
  /** audit details beyond deliveryId, kind, sender and inboxSeq */
  auditDetails: Record<string, unknown>;
}

/** How many acknowledged delivery facts each generation of InboxService.announced holds (two: ~10 MB at most). */
const ANNOUNCED_PER_GENERATION = 50_000;

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
    auditDetails: {
      correlationId: notice.correlationId,
      otherAgencyId: notice.otherAgencyId,
      restricted: notice.restricted,
    },
  };
}

/** The first of each deliveryId in a batch (a message redelivered within one batch is one delivery). */
function firstOfEach(entries: readonly InboxEntry[]): InboxEntry[] {
  const seen = new Set<string>();
  return entries.filter((entry) => {
    const id = entry.deliveryId.toLowerCase();
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * What STORE_SQL answers: per recipient written, its counter after the batch (delivery_id null, seq = last_seq); per
 * delivery stored now (fresh) or by an earlier attempt, its row's seq.
 */
interface StoredRow {
  recipient: string;
  seq: string;
  delivery_id: string | null;
  fresh: boolean;
}

/**
 * A whole batch of inbox rows in one statement. `fresh`: the deliveries not stored yet. `bumped` locks each
 * recipient's counter row (in name order, so two batches cannot deadlock) and advances it by that recipient's fresh
 * count; ON CONFLICT DO UPDATE works on the latest committed counter even when it waited for another transaction,
 * so each recipient's seqs are handed out, and committed, in order: a reader never skips a row that commits later
 * (decision 002). The fresh rows take the seqs below the new counter in batch order. A delivery decided before its
 * alert was erased, arriving after, is stored without content; a cancel takes the reason the gateway accepted with
 * the version (the routed message carries no text). The NOTIFY (payload `<recipient> <last seq>`) wakes the streams
 * of the other replicas at commit.
 *
 * A concurrent attempt at the same delivery (two replicas during a rebalance) that commits while this statement
 * waits for the counter lock is not seen by `fresh` (this statement's snapshot is older): the insert then fails on
 * the unique deliveryId, the statement rolls back, and the retry finds the row stored.
 */
const STORE_SQL = `
  WITH e AS (
    SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::jsonb[], $10::boolean[])
      WITH ORDINALITY AS e(recipient, delivery_id, alert_id, version, kind, sender, has_content, cancel_reason, match, withdrawn, n)
  ), fresh AS (
    SELECT e.*, row_number() OVER (PARTITION BY e.recipient ORDER BY e.n) AS k, count(*) OVER (PARTITION BY e.recipient) AS per_recipient
    FROM e WHERE NOT EXISTS (SELECT 1 FROM gateway.inbox i WHERE i.delivery_id = e.delivery_id)
  ), bumped AS (
    INSERT INTO gateway.inbox_counters AS c (recipient, last_seq)
    SELECT recipient, max(per_recipient) FROM fresh GROUP BY recipient ORDER BY recipient
    ON CONFLICT (recipient) DO UPDATE SET last_seq = c.last_seq + excluded.last_seq
    RETURNING c.recipient, c.last_seq
  ), erased AS (
    SELECT a.alert_id FROM gateway.alerts a WHERE a.erased_at IS NOT NULL
      AND (a.alert_id IN (SELECT alert_id FROM fresh)
           OR a.alert_id IN (SELECT jsonb_array_elements_text(match->'otherAlertIds')::uuid FROM fresh WHERE match IS NOT NULL))
  ), inserted AS (
    INSERT INTO gateway.inbox (recipient, seq, delivery_id, alert_id, version, kind, sender, has_content, cancel_reason, match, withdrawn, erased)
    SELECT f.recipient, b.last_seq - f.per_recipient + f.k, f.delivery_id, f.alert_id, f.version, f.kind, f.sender,
           f.has_content AND x.alert_id IS NULL,
           CASE WHEN x.alert_id IS NULL THEN COALESCE(f.cancel_reason, CASE WHEN f.kind = 'cancel' AND NOT f.withdrawn THEN v.cancel_reason END) END,
           -- A notice about an erased alert, its own or the other it names, arriving after the erasure: redacted as the erasure would have.
           CASE WHEN f.match IS NOT NULL AND (x.alert_id IS NOT NULL OR EXISTS (SELECT 1 FROM erased y WHERE f.match->'otherAlertIds' ? y.alert_id::text))
                THEN f.match || jsonb_build_object('text', $11::text, 'otherAlertIds', '[]'::jsonb) ELSE f.match END,
           f.withdrawn, x.alert_id IS NOT NULL
    FROM fresh f JOIN bumped b ON b.recipient = f.recipient
    LEFT JOIN erased x ON x.alert_id = f.alert_id
    LEFT JOIN gateway.alert_versions v ON v.alert_id = f.alert_id AND v.version = f.version
    ORDER BY f.n
    RETURNING recipient, seq, delivery_id
  )
  SELECT b.recipient, b.last_seq::text AS seq, NULL::uuid AS delivery_id, false AS fresh, pg_notify($12, b.recipient || ' ' || b.last_seq)::text AS notified
  FROM bumped b
  UNION ALL
  SELECT i.recipient, i.seq::text, i.delivery_id, true, NULL FROM inserted i
  UNION ALL
  SELECT k.recipient, k.seq::text, k.delivery_id, false, NULL FROM gateway.inbox k WHERE k.delivery_id IN (SELECT delivery_id FROM e)`;

function storeParams(deliveries: readonly InboxEntry[]): unknown[] {
  const column = <T>(pick: (d: InboxEntry) => T) => deliveries.map(pick);
  return [
    column((d) => d.recipient),
    column((d) => d.deliveryId),
    column((d) => d.alertId),
    column((d) => d.version),
    column((d) => d.kind),
    column((d) => d.sender),
    column((d) => d.hasContent),
    column((d) => d.cancelReason),
    column((d) => (d.match ? JSON.stringify(d.match) : null)),
    column((d) => d.withdrawn),
    ERASED_NOTICE_TEXT,
    INBOX_CHANNEL,
  ];
}

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
                AND p.kind <> 'match' ORDER BY p.seq DESC LIMIT 1)`,
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
          items: items.map((item) => ({
            alertId: item.alertId,
            version: item.version,
            deliveryId: item.deliveryId,
            kind: item.kind,
          })),
        },
      }));
    if (facts.length > 0) await this.audit.publish(facts);
  }
}

/** Which stream a row of newItems belongs to. */
export function streamKey(recipient: string, after: number): string {
  return `${recipient} ${after}`;
}
