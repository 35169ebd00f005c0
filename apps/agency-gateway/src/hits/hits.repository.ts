import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SqlRunner } from '@hub/database/sql-runner';

/** An active alert of another agency naming one of the identifiers asked. */
export interface HitRow {
  key_hash: string;
  alert_id: string;
  version: number;
  sender: string;
}

/**
 * gateway.alert_identifiers (written with each version by the submission statements: IdempotencyKeysRepository,
 * AlertsRepository.appendVersion) as POST /v1/hits reads it, and gateway.hit_queries.
 */
@Injectable()
export class HitsRepository {
  constructor(@InjectDataSource() private readonly db: SqlRunner) {}

  /**
   * The alerts of agencies other than `asker` that name any of `keyHashes` in their current version and are active:
   * not cancelled, not erased, not expired. One statement, by the primary key of the index.
   */
  async activeAlertsNaming(keyHashes: readonly string[], asker: string): Promise<HitRow[]> {
    if (keyHashes.length === 0) return [];
    return this.db.query<HitRow>(
      `SELECT i.key_hash::text AS key_hash, i.alert_id::text AS alert_id, i.version, i.sender
       FROM (SELECT DISTINCT k FROM unnest($1::text[]) AS k) q
       JOIN gateway.alert_identifiers i ON i.key_hash = q.k
       JOIN gateway.alerts a ON a.alert_id = i.alert_id AND a.current_version = i.version
       WHERE i.sender <> $2 AND a.state = 'active' AND a.erased_at IS NULL AND (i.expires_at IS NULL OR i.expires_at > now())`,
      [keyHashes, asker],
    );
  }

  async recordQuery(query: {
    queryId: string;
    askedBy: string;
    keyId: string;
    keyHashes: readonly string[];
    hitCount: number;
  }): Promise<Date> {
    const [row] = await this.db.query<{ asked_at: Date }>(
      `INSERT INTO gateway.hit_queries (query_id, asked_by, key_id, key_hashes, hit_count) VALUES ($1, $2, $3, $4, $5)
       RETURNING asked_at`,
      [query.queryId, query.askedBy, query.keyId, query.keyHashes, query.hitCount],
    );
    return row.asked_at;
  }
}
