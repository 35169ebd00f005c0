import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SqlRunner } from '@hub/database/sql-runner';
import { Topic } from '@hub/contracts/topics';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { OutboxService } from '@hub/kafka/outbox.service';
import { StoredVersion } from '../stored-version';
import { IndexedKeys } from '../identifier-index';
import { ALERT_VERSION_COLUMNS, versionColumns } from './alert-versions.repository';

export type AlertState = 'active' | 'cancelled';

/** An alert as gateway.alerts holds it: who sent it, its current version and state, and when it was erased. */
export interface AlertRecord {
  alertId: string;
  sender: string;
  currentVersion: number;
  state: AlertState;
  erasedAt: Date | null;
}

/** One of a sender's alerts with its current version's headline, category and TLP (null once erased). */
export interface SentAlertRecord {
  alertId: string;
  currentVersion: number;
  state: AlertState;
  headline: string | null;
  category: string | null;
  tlp: string | null;
  createdAt: Date;
  updatedAt: Date;
  erasedAt: Date | null;
}

interface AlertRow {
  alert_id: string;
  sender: string;
  current_version: number;
  state: AlertState;
  erased_at: Date | null;
}

interface SentAlertRow {
  alert_id: string;
  current_version: number;
  state: AlertState;
  headline: string | null;
  category: string | null;
  tlp: string | null;
  created_at: Date;
  updated_at: Date;
  erased_at: Date | null;
}

/**
 * The gateway.alerts table: one row per accepted alert, moved on by each update or cancel. The first row is written
 * with the submission's claim (IdempotencyKeysRepository.claimAndSubmit); erasure marks it (ErasureRepository).
 */
@Injectable()
export class AlertsRepository {
  constructor(
    @InjectDataSource() private readonly db: SqlRunner,
    private readonly outbox: OutboxService,
  ) {}

  within(transaction: SqlRunner): AlertsRepository {
    return new AlertsRepository(transaction, this.outbox);
  }

  /** Who sent the alert; null when there is no such alert. */
  async senderOf(alertId: string): Promise<string | null> {
    const [row] = await this.db.query<{ sender: string }>(`SELECT sender FROM gateway.alerts WHERE alert_id = $1`, [
      alertId,
    ]);
    return row?.sender ?? null;
  }

  async find(alertId: string): Promise<AlertRecord | null> {
    const [row] = await this.db.query<AlertRow & { created_at: Date }>(
      `SELECT alert_id, sender, current_version, state, erased_at, created_at FROM gateway.alerts WHERE alert_id = $1`,
      [alertId],
    );
    return row ? alertRecord(row) : null;
  }

  /**
   * When the alert was erased (null: not erased, or no such alert), its row share-locked until the end of the caller's
   * transaction: an erasure (which updates the row) waits for it, or it sees the erasure, so nothing is written about
   * the alert that the erasure would not sweep.
   */
  async erasedAtLocked(alertId: string): Promise<Date | null> {
    const [row] = await this.db.query<{ erased_at: Date | null }>(
      `SELECT erased_at FROM gateway.alerts WHERE alert_id = $1 FOR SHARE`,
      [alertId],
    );
    return row?.erased_at ?? null;
  }

  /**
   * The alert, its row locked until the end of the caller's transaction: changes of one alert happen one at a time.
   * `previousUnpublished`: a version of it is still in the outbox, not yet acknowledged by Kafka (see AppendVersion).
   */
  async lockForChange(alertId: string): Promise<(AlertRecord & { previousUnpublished: boolean }) | null> {
    const [row] = await this.db.query<AlertRow & { previous_unpublished: boolean }>(
      `SELECT alert_id, sender, current_version, state, erased_at,
              EXISTS (SELECT 1 FROM gateway.outbox WHERE topic = $2 AND key = $3) AS previous_unpublished
       FROM gateway.alerts WHERE alert_id = $1 FOR UPDATE`,
      [alertId, Topic.AlertsSubmitted, alertId],
    );
    return row ? { ...alertRecord(row), previousUnpublished: row.previous_unpublished } : null;
  }

  /**
   * The next version (an update or a cancel), the alert's new state and the version's outbox rows, in one statement;
   * returns the outbox ids. `retainUntil` null keeps the alert's retention (a cancel keeps the content, so its
   * retention too). Under lockForChange's lock, in the same transaction.
   */
  async appendVersion(
    stored: StoredVersion,
    state: AlertState,
    retainUntil: string | null,
    messages: OutgoingMessage[],
    index?: IndexedKeys,
  ): Promise<string[]> {
    const outbox = this.outbox.insertSql(messages, 'ids.outbox_ids', 'ids', 14);
    const [{ outbox_ids: ids }] = await this.db.query<{ outbox_ids: string[] }>(
      `WITH ids AS (SELECT ${this.outbox.idsSql(messages.length)} AS outbox_ids),
         version AS (
           INSERT INTO gateway.alert_versions (${ALERT_VERSION_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ), alert AS (
           UPDATE gateway.alerts SET current_version = $2, state = $12, updated_at = now(), retain_until = COALESCE($13, retain_until) WHERE alert_id = $1
         ), outbox AS (${outbox.sql}
         ), indexed AS (
           INSERT INTO gateway.alert_identifiers (key_hash, alert_id, version, sender, expires_at)
           SELECT k, $1::uuid, $2::int, $19::text, $20::timestamptz FROM unnest($18::text[]) AS k ON CONFLICT DO NOTHING
         )
         SELECT outbox_ids::text[] AS outbox_ids FROM ids`,
      [
        ...versionColumns(stored),
        state,
        retainUntil,
        ...outbox.params,
        index?.keyHashes ?? [],
        stored.message.sender,
        index?.expiresAt ?? null,
      ],
    );
    return ids;
  }

  /** The sender's own alerts, newest first, with their current version's headline, category and TLP. */
  async listSent(sender: string, limit: number): Promise<SentAlertRecord[]> {
    const rows = await this.db.query<SentAlertRow>(
      `SELECT a.alert_id, a.current_version, a.state, v.content->>'headline' AS headline, v.content->>'category' AS category,
              v.content->>'tlp' AS tlp, a.created_at, a.updated_at, a.erased_at
       FROM gateway.alerts a JOIN gateway.alert_versions v ON v.alert_id = a.alert_id AND v.version = a.current_version
       WHERE a.sender = $1 ORDER BY a.created_at DESC, a.alert_id LIMIT $2`,
      [sender, limit],
    );
    return rows.map((row) => ({
      alertId: row.alert_id,
      currentVersion: row.current_version,
      state: row.state,
      headline: row.headline,
      category: row.category,
      tlp: row.tlp,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      erasedAt: row.erased_at,
    }));
  }

  /** Which of `alertIds` the agency may see: its own alerts, and those delivered to it (match notices aside). */
  async visibleTo(agencyId: string, alertIds: readonly string[]): Promise<Set<string>> {
    const rows = await this.db.query<{ alert_id: string }>(
      `SELECT alert_id FROM gateway.alerts WHERE alert_id = ANY($1::uuid[]) AND sender = $2
       UNION SELECT DISTINCT alert_id FROM gateway.inbox WHERE alert_id = ANY($1::uuid[]) AND recipient = $2 AND kind NOT IN ('match', 'hit')`,
      [alertIds, agencyId],
    );
    return new Set(rows.map((row) => row.alert_id));
  }
}

function alertRecord(row: AlertRow): AlertRecord {
  return {
    alertId: row.alert_id,
    sender: row.sender,
    currentVersion: row.current_version,
    state: row.state,
    erasedAt: row.erased_at,
  };
}
