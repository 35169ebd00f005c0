import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SqlRunner } from '@hub/database/sql-runner';

/** An acknowledgement as written: the note stays here with the salt of the commitment its audit fact holds. */
export interface NewAck {
  alertId: string;
  version: number;
  recipient: string;
  status: string;
  keyId: string;
  note: { text: string; salt: Buffer; commitment: string } | null;
}

export interface LatestAck {
  recipient: string;
  version: number;
  status: string;
  note: string | null;
  ackedAt: Date;
}

/** One ack with what an auditor needs to check its note against the commitment in its alert.acked fact. */
export interface AckNoteRow {
  id: string;
  alertId: string;
  version: number;
  recipient: string;
  status: string;
  ackedAt: Date;
  note: string | null;
  noteSalt: Buffer | null;
  noteCommitment: string | null;
  alertErasedAt: Date | null;
}

interface AckRow {
  recipient: string;
  version: number;
  status: string;
  note: string | null;
  acked_at: Date;
}

interface AckWithNoteRow extends AckRow {
  id: string;
  note_salt: Buffer | null;
  note_commitment: string | null;
  erased_at: Date | null;
}

/**
 * The gateway.acks table: recipients' acknowledgements and their notes (free text about the alert). Injected with
 * the service's DataSource; `within(transaction)` runs the same statements inside a transaction.
 */
@Injectable()
export class AcksRepository {
  constructor(@InjectDataSource() private readonly db: SqlRunner) {}

  within(transaction: SqlRunner): AcksRepository {
    return new AcksRepository(transaction);
  }

  /** Returns the ack's id (its audit fact is `ack:<id>`). */
  async insert(ack: NewAck): Promise<string> {
    const [{ id }] = await this.db.query<{ id: string }>(
      `INSERT INTO gateway.acks (alert_id, version, recipient, status, note, note_salt, note_commitment, key_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        ack.alertId,
        ack.version,
        ack.recipient,
        ack.status,
        ack.note?.text ?? null,
        ack.note?.salt ?? null,
        ack.note?.commitment ?? null,
        ack.keyId,
      ],
    );
    return String(id);
  }

  /** Each recipient's latest ack of the alert. */
  async latestPerRecipient(alertId: string): Promise<LatestAck[]> {
    const rows = await this.db.query<AckRow>(
      `SELECT DISTINCT ON (recipient) recipient, version, status, note, acked_at FROM gateway.acks
       WHERE alert_id = $1 ORDER BY recipient, id DESC`,
      [alertId],
    );
    return rows.map((row) => ({
      recipient: row.recipient,
      version: row.version,
      status: row.status,
      note: row.note,
      ackedAt: row.acked_at,
    }));
  }

  async withNote(alertId: string, ackId: string): Promise<AckNoteRow | null> {
    const [row] = await this.db.query<AckWithNoteRow>(
      `SELECT k.id, k.version, k.recipient, k.status, k.acked_at, k.note, k.note_salt, k.note_commitment, a.erased_at
       FROM gateway.acks k JOIN gateway.alerts a ON a.alert_id = k.alert_id WHERE k.alert_id = $1 AND k.id = $2`,
      [alertId, ackId],
    );
    if (!row) return null;
    return {
      id: String(row.id),
      alertId,
      version: row.version,
      recipient: row.recipient,
      status: row.status,
      ackedAt: row.acked_at,
      note: row.note,
      noteSalt: row.note_salt,
      noteCommitment: row.note_commitment,
      alertErasedAt: row.erased_at,
    };
  }

  /** Erasure: the notes and their salts go; who acknowledged which version, how and when stays. */
  async eraseNotes(alertIds: readonly string[]): Promise<void> {
    await this.db.query<never>(
      `UPDATE gateway.acks SET note = NULL, note_salt = NULL WHERE alert_id = ANY($1::uuid[]) AND (note IS NOT NULL OR note_salt IS NOT NULL)`,
      [alertIds],
    );
  }
}
