import { ERASED_NOTICE_TEXT } from '../erasure/erasure.repository';
import { INBOX_CHANNEL } from './inbox.notifier';
import { InboxEntry } from './inbox-entries';

/**
 * What STORE_SQL answers: per recipient written, its counter after the batch (delivery_id null, seq = last_seq); per
 * delivery stored now (fresh) or by an earlier attempt, its row's seq.
 */
export interface StoredRow {
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
export const STORE_SQL = `
  WITH e AS (
    SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::jsonb[], $10::boolean[], $13::jsonb[])
      WITH ORDINALITY AS e(recipient, delivery_id, alert_id, version, kind, sender, has_content, cancel_reason, match, withdrawn, hit, n)
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
    INSERT INTO gateway.inbox (recipient, seq, delivery_id, alert_id, version, kind, sender, has_content, cancel_reason, match, withdrawn, erased, hit)
    SELECT f.recipient, b.last_seq - f.per_recipient + f.k, f.delivery_id, f.alert_id, f.version, f.kind, f.sender,
           f.has_content AND x.alert_id IS NULL,
           CASE WHEN x.alert_id IS NULL THEN COALESCE(f.cancel_reason, CASE WHEN f.kind = 'cancel' AND NOT f.withdrawn THEN v.cancel_reason END) END,
           -- A notice about an erased alert, its own or the other it names, arriving after the erasure: redacted as the erasure would have.
           CASE WHEN f.match IS NOT NULL AND (x.alert_id IS NOT NULL OR EXISTS (SELECT 1 FROM erased y WHERE f.match->'otherAlertIds' ? y.alert_id::text))
                THEN f.match || jsonb_build_object('text', $11::text, 'otherAlertIds', '[]'::jsonb) ELSE f.match END,
           f.withdrawn, x.alert_id IS NOT NULL, f.hit
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

export function storeParams(deliveries: readonly InboxEntry[]): unknown[] {
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
    column((d) => (d.hit ? JSON.stringify(d.hit) : null)),
  ];
}
