import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SqlRunner } from '@hub/database/sql-runner';
import { FieldError } from '@hub/platform/errors';

export interface NewRejection {
  /** the eventId of the alert.rejected fact */
  eventId: string;
  sender: string;
  keyId: string;
  alertId: string | null;
  problems: FieldError[];
  salt: Buffer;
  commitment: string;
  retainUntil: Date;
}

export interface RejectionRow {
  eventId: string;
  sender: string;
  alertId: string | null;
  rejectedAt: Date;
  commitment: string;
  /** null once erased (retention ended, or the alert it concerned was erased) */
  problems: FieldError[] | null;
  salt: Buffer | null;
  erasedAt: Date | null;
}

interface RawRow {
  event_id: string;
  sender: string;
  alert_id: string | null;
  rejected_at: Date;
  commitment: string;
  problems: string | null;
  problems_salt: Buffer | null;
  erased_at: Date | null;
}

/**
 * The gateway.rejections table: the problems of refused submissions (paths and messages can echo what was sent),
 * kept beside the commitment their alert.rejected fact holds, until their retention ends or their alert is erased.
 * Injected with the service's DataSource; `within(transaction)` runs the same statements inside a transaction.
 */
@Injectable()
export class RejectionsRepository {
  constructor(@InjectDataSource() private readonly db: SqlRunner) {}

  within(transaction: SqlRunner): RejectionsRepository {
    return new RejectionsRepository(transaction);
  }

  async insert(rejection: NewRejection): Promise<void> {
    await this.db.query<never>(
      `INSERT INTO gateway.rejections (event_id, sender, key_id, alert_id, problems, problems_salt, commitment, retain_until)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        rejection.eventId,
        rejection.sender,
        rejection.keyId,
        rejection.alertId,
        JSON.stringify(rejection.problems),
        rejection.salt,
        rejection.commitment,
        rejection.retainUntil.toISOString(),
      ],
    );
  }

  async find(eventId: string): Promise<RejectionRow | null> {
    const [row] = await this.db.query<RawRow>(
      `SELECT event_id::text, sender, alert_id::text, rejected_at, commitment, problems, problems_salt, erased_at FROM gateway.rejections WHERE event_id = $1`,
      [eventId],
    );
    if (!row) return null;
    return {
      eventId: row.event_id,
      sender: row.sender,
      alertId: row.alert_id,
      rejectedAt: row.rejected_at,
      commitment: row.commitment,
      problems: row.problems === null ? null : (JSON.parse(row.problems) as FieldError[]),
      salt: row.problems_salt,
      erasedAt: row.erased_at,
    };
  }

  /** The problems recorded about erased alerts go with them. */
  async eraseOfAlerts(alertIds: readonly string[], erasedAt: Date): Promise<void> {
    await this.db.query<never>(
      `UPDATE gateway.rejections SET problems = NULL, problems_salt = NULL, erased_at = $2 WHERE alert_id = ANY($1::uuid[]) AND erased_at IS NULL`,
      [alertIds, erasedAt.toISOString()],
    );
  }

  /** Rejections whose retention ended, oldest first (at most `limit`, locked: replicas share the work); their eventIds. */
  async eraseDue(now: Date, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ event_id: string }>(
      // (as a CTE: TypeORM answers a bare UPDATE … RETURNING with [rows, count], not rows)
      `WITH due AS (
         SELECT event_id FROM gateway.rejections WHERE retain_until <= $1 AND erased_at IS NULL ORDER BY retain_until LIMIT $2 FOR UPDATE SKIP LOCKED),
       erased AS (
         UPDATE gateway.rejections r SET problems = NULL, problems_salt = NULL, erased_at = $1 FROM due WHERE r.event_id = due.event_id
         RETURNING r.event_id::text)
       SELECT event_id FROM erased`,
      [now.toISOString(), limit],
    );
    return rows.map((row) => row.event_id);
  }
}
