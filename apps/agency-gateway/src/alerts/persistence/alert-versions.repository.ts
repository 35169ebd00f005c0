import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SqlRunner } from '@hub/database/sql-runner';
import { AlertContent } from '@hub/contracts/alert/alert-content';
import { StoredVersion } from '../stored-version';

/** The columns of gateway.alert_versions that a new version fills, in the order of `versionColumns`. */
export const ALERT_VERSION_COLUMNS =
  'alert_id, version, message_id, kind, content, cancel_reason, sender_key_id, received_at, content_salt, commitment, signature';

/** The alert_versions columns of a stored version, in table order (alert_id, version, message_id, …, commitment). */
export function versionColumns({ message, salt, commitment }: StoredVersion): unknown[] {
  return [
    message.alertId,
    message.version,
    message.messageId,
    message.kind,
    JSON.stringify(message.alert),
    message.cancelReason ?? null,
    message.senderKeyId,
    message.receivedAt,
    salt,
    commitment,
    message.signature ?? null,
  ];
}

/** One version as its sender reads it back. `content` is null once the alert was erased. */
export interface VersionRecord {
  content: AlertContent | null;
  receivedAt: Date;
  cancelReason: string | null;
  signature: string | null;
}

interface VersionRow {
  content: AlertContent | null;
  received_at: Date;
  cancel_reason: string | null;
  signature: string | null;
}

/**
 * Reads of gateway.alert_versions, every version of every alert the gateway accepted. New versions are written in
 * the one statement that also claims the Idempotency-Key (IdempotencyKeysRepository.claimAndSubmit) or moves the
 * alert on (AlertsRepository.appendVersion), with ALERT_VERSION_COLUMNS and versionColumns from here.
 */
@Injectable()
export class AlertVersionsRepository {
  constructor(@InjectDataSource() private readonly db: SqlRunner) {}

  within(transaction: SqlRunner): AlertVersionsRepository {
    return new AlertVersionsRepository(transaction);
  }

  async find(alertId: string, version: number): Promise<VersionRecord | null> {
    const [row] = await this.db.query<VersionRow>(
      `SELECT content, received_at, cancel_reason, signature FROM gateway.alert_versions WHERE alert_id = $1 AND version = $2`,
      [alertId, version],
    );
    return row
      ? { content: row.content, receivedAt: row.received_at, cancelReason: row.cancel_reason, signature: row.signature }
      : null;
  }

  /** The content of a version that must still have it (a cancel repeats its alert's current content). */
  async content(alertId: string, version: number): Promise<AlertContent> {
    const [row] = await this.db.query<{ content: AlertContent | null }>(
      `SELECT content FROM gateway.alert_versions WHERE alert_id = $1 AND version = $2`,
      [alertId, version],
    );
    if (!row?.content) throw new Error(`alert ${alertId} has no content at version ${version}`);
    return row.content;
  }
}
