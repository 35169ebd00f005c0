import { EntityManager } from 'typeorm';
import { ErasureCause } from '@hub/contracts/messages';
import { CONTENT_TOPICS } from '@hub/contracts/topics';
import { AcksRepository } from '../alerts/persistence/acks.repository';
import { RejectionsRepository } from '../alerts/persistence/rejections.repository';

/** What a match notice says once an alert it is about was erased: nothing of it, not even the identifier. */
export const ERASED_NOTICE_TEXT = 'This match concerned an alert whose content has since been erased.';

/** Replaces the request hash of an erased submission: a hash of the body would let a guess of the content be confirmed. */
export const ERASED_REQUEST_HASH = '0'.repeat(64);

export interface ErasureRecord {
  cause: ErasureCause;
  /** the admin who asked (erasure on request) */
  requestedBy?: { agencyId: string; keyId: string };
  reason?: string;
  /** hex salt of the commitment to `reason` that the alert.erased fact holds instead of the reason */
  reasonSalt?: string;
}

/**
 * The gateway's copies of alert content, salts and identifiers, removed in one transaction: alert versions, every
 * inbox row (deliveries and match notices), ack notes and their salts, the problems recorded of refused requests about
 * the alert, the request hash of the submission, and unpublished outbox
 * rows that carry content. Ids, versions, parties, times, decisions and ack statuses stay.
 */
export class ErasureRepository {
  constructor(private readonly db: EntityManager) {}

  /** Marks and erases the alerts not erased yet; returns those (others were erased before and change nothing). */
  async erase(
    alertIds: readonly string[],
    record: ErasureRecord,
    erasedAt: Date,
  ): Promise<{ alertId: string; version: number; sender: string }[]> {
    if (alertIds.length === 0) return [];
    const marked: { alert_id: string; current_version: number; sender: string }[] = await this.db.query(
      // (as a CTE: TypeORM answers a bare UPDATE … RETURNING with [rows, count], not rows)
      `WITH marked AS (
         UPDATE gateway.alerts SET erased_at = $2, erasure = $3, updated_at = now() WHERE alert_id = ANY($1::uuid[]) AND erased_at IS NULL
         RETURNING alert_id::text, current_version, sender)
       SELECT * FROM marked`,
      [alertIds, erasedAt.toISOString(), JSON.stringify(record)],
    );
    const ids = marked.map((row) => row.alert_id);
    if (ids.length === 0) return [];
    await this.db.query(
      // The origin signature goes too: checked against a guessed content, it would confirm the guess.
      `UPDATE gateway.alert_versions SET content = NULL, content_salt = NULL, cancel_reason = NULL, signature = NULL WHERE alert_id = ANY($1::uuid[])`,
      [ids],
    );
    await this.db.query(
      `UPDATE gateway.inbox SET has_content = false, cancel_reason = NULL, erased = true,
              match = CASE WHEN kind = 'match' THEN match || jsonb_build_object('text', $2::text, 'otherAlertIds', '[]'::jsonb) END
       WHERE alert_id = ANY($1::uuid[])`,
      [ids, ERASED_NOTICE_TEXT],
    );
    // Notices to other agencies that named an erased alert as the match.
    await this.db.query(
      `UPDATE gateway.inbox SET match = match || jsonb_build_object('text', $2::text, 'otherAlertIds', '[]'::jsonb)
       WHERE kind = 'match' AND match->'otherAlertIds' ?| $1::text[]`,
      [ids, ERASED_NOTICE_TEXT],
    );
    // The keyed hashes of its identifiers (POST /v1/hits) go with the content.
    await this.db.query(`DELETE FROM gateway.alert_identifiers WHERE alert_id = ANY($1::uuid[])`, [ids]);
    await new AcksRepository(this.db).eraseNotes(ids);
    await new RejectionsRepository(this.db).eraseOfAlerts(ids, erasedAt);
    await this.db.query(`UPDATE gateway.idempotency_keys SET request_hash = $2 WHERE alert_id = ANY($1::uuid[])`, [
      ids,
      ERASED_REQUEST_HASH,
    ]);
    await this.db.query(
      `DELETE FROM gateway.outbox WHERE topic = ANY($1::text[]) AND (value::jsonb ->> 'alertId') = ANY($2::text[])`,
      [CONTENT_TOPICS, ids],
    );
    return marked.map((row) => ({ alertId: row.alert_id, version: row.current_version, sender: row.sender }));
  }

  /** The erasure record of an erased alert (who asked, why, under which salt); null when it was not erased. */
  async record(alertId: string): Promise<{ record: ErasureRecord; erasedAt: Date } | null> {
    const [row]: { erasure: ErasureRecord | null; erased_at: Date | null }[] = await this.db.query(
      `SELECT erasure, erased_at FROM gateway.alerts WHERE alert_id = $1`,
      [alertId],
    );
    return row?.erased_at && row.erasure ? { record: row.erasure, erasedAt: row.erased_at } : null;
  }

  /** Alerts whose retention has ended, oldest first, locked so that two gateways never sweep the same one. */
  async due(now: Date, limit: number): Promise<string[]> {
    const rows: { alert_id: string }[] = await this.db.query(
      `SELECT alert_id::text FROM gateway.alerts WHERE retain_until <= $1 AND erased_at IS NULL ORDER BY retain_until LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now.toISOString(), limit],
    );
    return rows.map((row) => row.alert_id);
  }

  async exists(alertId: string): Promise<{ erased_at: Date | null } | null> {
    const [row]: { erased_at: Date | null }[] = await this.db.query(
      `SELECT erased_at FROM gateway.alerts WHERE alert_id = $1`,
      [alertId],
    );
    return row ?? null;
  }
}
