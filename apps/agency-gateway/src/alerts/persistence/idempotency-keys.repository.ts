import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SqlRunner } from '@hub/database/sql-runner';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { OutboxService } from '@hub/kafka/outbox.service';
import { AcceptedResponse } from '../alert-views';
import { StoredVersion } from '../stored-version';
import { ALERT_VERSION_COLUMNS, versionColumns } from './alert-versions.repository';

/** A new alert, and the Idempotency-Key that claims it with the answer the request gets. */
export interface Submission {
  sender: string;
  idempotencyKey: string;
  /** sha-256 of the request (body and signature), hex */
  requestHash: string;
  response: AcceptedResponse;
  /** its first version */
  stored: StoredVersion;
  retainUntil: string;
  messages: OutgoingMessage[];
}

/** What an Idempotency-Key holds: the request it was first used with, the answer, and that answer's outbox rows. */
export interface IdempotencyClaim {
  requestHash: string;
  response: AcceptedResponse;
  outboxIds: string[];
}

interface ClaimRow {
  request_hash: string;
  response: AcceptedResponse;
  outbox_ids: string[];
}

/**
 * The gateway.idempotency_keys table, and with it the submission itself: a new alert is written only by the request
 * that claims its key (docs/decisions/009-hot-path.md, one statement per submission).
 */
@Injectable()
export class IdempotencyKeysRepository {
  constructor(
    @InjectDataSource() private readonly db: SqlRunner,
    private readonly outbox: OutboxService,
  ) {}

  within(transaction: SqlRunner): IdempotencyKeysRepository {
    return new IdempotencyKeysRepository(transaction, this.outbox);
  }

  /**
   * One statement, atomic on its own (no transaction around it): claims the Idempotency-Key with the answer and the
   * outbox ids it will have, and only if the claim is this one, the alert, its first version and the outbox rows.
   * Returns the outbox ids to publish, or null when the key was claimed before (the caller replays).
   */
  async claimAndSubmit(submission: Submission): Promise<string[] | null> {
    const { stored, messages } = submission;
    const outbox = this.outbox.insertSql(messages, 'claim.outbox_ids', 'claim', 17);
    const [claimed] = await this.db.query<{ outbox_ids: string[] }>(
      `WITH claim AS (
         INSERT INTO gateway.idempotency_keys (sender, idempotency_key, request_hash, alert_id, response, outbox_ids)
         VALUES ($1, $2, $3, $4, $5, ${this.outbox.idsSql(messages.length)})
         ON CONFLICT DO NOTHING RETURNING outbox_ids
       ), alert AS (
         INSERT INTO gateway.alerts (alert_id, sender, current_version, state, retain_until)
         SELECT $4::uuid, $1::text, $6::int, 'active', $16::timestamptz FROM claim
       ), version AS (
         INSERT INTO gateway.alert_versions (${ALERT_VERSION_COLUMNS})
         SELECT $4::uuid, $6::int, $7::uuid, $8::text, $9::jsonb, $10::text, $11::text, $12::timestamptz, $13::bytea, $14::text, $15::text FROM claim
       ), outbox AS (${outbox.sql})
       SELECT outbox_ids::text[] AS outbox_ids FROM claim`,
      [
        submission.sender,
        submission.idempotencyKey,
        submission.requestHash,
        stored.message.alertId,
        JSON.stringify(submission.response),
        ...versionColumns(stored).slice(1),
        submission.retainUntil,
        ...outbox.params,
      ],
    );
    return claimed ? claimed.outbox_ids : null;
  }

  async find(sender: string, idempotencyKey: string): Promise<IdempotencyClaim | null> {
    const [row] = await this.db.query<ClaimRow>(
      `SELECT request_hash, response, outbox_ids FROM gateway.idempotency_keys WHERE sender = $1 AND idempotency_key = $2`,
      [sender, idempotencyKey],
    );
    return row ? { requestHash: row.request_hash, response: row.response, outboxIds: row.outbox_ids } : null;
  }

  /** How many of a claim's outbox rows are not published yet (its request is in flight while there are any). */
  async unpublished(outboxIds: readonly string[]): Promise<number> {
    const [{ pending }] = await this.db.query<{ pending: number }>(
      `SELECT count(*)::int AS pending FROM gateway.outbox WHERE id = ANY($1::bigint[])`,
      [outboxIds],
    );
    return pending;
  }
}
