import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SqlRunner } from '@hub/database/sql-runner';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { OutboxService } from '@hub/kafka/outbox.service';
import { AcceptedResponse } from '../alert-views';
import { IndexedKeys } from '../identifier-index';
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
  /** its identifiers for POST /v1/hits (gateway.alert_identifiers), written with it */
  index?: IndexedKeys;
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
       ), outbox AS (${outbox.sql}
       ), indexed AS (
         INSERT INTO gateway.alert_identifiers (key_hash, alert_id, version, sender, expires_at)
         SELECT k, $4::uuid, $6::int, $1::text, $22::timestamptz FROM claim, unnest($21::text[]) AS k ON CONFLICT DO NOTHING
       )
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
        submission.index?.keyHashes ?? [],
        submission.index?.expiresAt ?? null,
      ],
    );
    return claimed ? claimed.outbox_ids : null;
  }

  /**
   * claimAndSubmit for many submissions in one statement, of any senders (a bulk submission, or the submissions of
   * concurrent requests: SubmissionWriter): each claims its own key, and only the claims made write their alert,
   * first version and outbox rows. Returns, in the order given, each submission's outbox ids, or null where its key
   * was claimed before — by an earlier request or by an earlier submission of the same list (ON CONFLICT DO NOTHING
   * skips the second of two equal keys in one INSERT).
   */
  async claimAndSubmitMany(submissions: readonly Submission[]): Promise<(string[] | null)[]> {
    if (submissions.length === 0) return [];
    const columns = submissions.map((s) => versionColumns(s.stored));
    const column = (i: number) => columns.map((c) => c[i]);
    const outbox = this.outbox.insertJoinedSql(
      submissions.map((s) => ({ key: s.stored.message.alertId, messages: s.messages })),
      'claim',
      'alert_id',
      'uuid',
      'outbox_ids',
      19,
    );
    const claimed = await this.db.query<{ alert_id: string; outbox_ids: string[] }>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::int[], $7::timestamptz[])
                    AS i(sender, idempotency_key, request_hash, alert_id, response, message_count, retain_until)
       ), claim AS (
         INSERT INTO gateway.idempotency_keys (sender, idempotency_key, request_hash, alert_id, response, outbox_ids)
         SELECT i.sender, i.idempotency_key, i.request_hash, i.alert_id, i.response::jsonb, ${this.outbox.idsPerRowSql('i.message_count')}
         FROM input i
         ON CONFLICT DO NOTHING RETURNING alert_id, outbox_ids
       ), alert AS (
         INSERT INTO gateway.alerts (alert_id, sender, current_version, state, retain_until)
         SELECT c.alert_id, i.sender, 1, 'active', i.retain_until FROM claim c JOIN input i USING (alert_id)
       ), version AS (
         INSERT INTO gateway.alert_versions (${ALERT_VERSION_COLUMNS})
         SELECT v.* FROM unnest($8::uuid[], $9::int[], $10::uuid[], $11::text[], $12::jsonb[], $13::text[], $14::text[],
                                $15::timestamptz[], $16::bytea[], $17::text[], $18::text[])
                           AS v(alert_id, version, message_id, kind, content, cancel_reason, sender_key_id, received_at,
                                content_salt, commitment, signature)
         JOIN claim c USING (alert_id)
       ), outbox AS (${outbox.sql}
       ), indexed AS (
         INSERT INTO gateway.alert_identifiers (key_hash, alert_id, version, sender, expires_at)
         SELECT k.key_hash, c.alert_id, 1, i.sender, k.expires_at
         FROM unnest($25::uuid[], $26::text[], $27::timestamptz[]) AS k(alert_id, key_hash, expires_at)
         JOIN claim c USING (alert_id) JOIN input i USING (alert_id)
         ON CONFLICT DO NOTHING
       )
       SELECT alert_id::text AS alert_id, outbox_ids::text[] AS outbox_ids FROM claim`,
      [
        submissions.map((s) => s.sender),
        submissions.map((s) => s.idempotencyKey),
        submissions.map((s) => s.requestHash),
        submissions.map((s) => s.stored.message.alertId),
        submissions.map((s) => JSON.stringify(s.response)),
        submissions.map((s) => s.messages.length),
        submissions.map((s) => s.retainUntil),
        ...Array.from({ length: 11 }, (_, i) => column(i)),
        ...outbox.params,
        ...indexColumns(submissions),
      ],
    );
    const byAlert = new Map(claimed.map((row) => [row.alert_id, row.outbox_ids]));
    return submissions.map((s) => byAlert.get(s.stored.message.alertId) ?? null);
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

/** The (alert, key hash, expiry) rows of the submissions' identifiers, as three arrays. */
function indexColumns(submissions: readonly Submission[]): [string[], string[], (string | null)[]] {
  const rows = submissions.flatMap((s) =>
    (s.index?.keyHashes ?? []).map((hash) => [s.stored.message.alertId, hash, s.index?.expiresAt ?? null] as const),
  );
  return [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])];
}
