import { EntityManager } from 'typeorm';
import { AlertErasedMessage } from '@hub/contracts/messages';
import { CONTENT_TOPICS } from '@hub/contracts/topics';
import { identifierKeyHash } from '@hub/merkle/content-commitment';
import { CorrelationNotice, renderNotice } from '../correlation/correlation-record';

/**
 * The node's copies of erased alerts' content, salts and identifiers, removed in one transaction: the stored
 * content (which the feed and the chase list show), the feed's headline and any content older feed entries still
 * hold, the correlation index, the identifier of every correlation that names the alert (replaced by its keyed
 * hash, so the record still says that the alerts shared an identifier), and unpublished outbox rows with content.
 * Routing decisions, recipients, times and correlation links stay.
 */
export class NodeErasureRepository {
  constructor(
    private readonly db: EntityManager,
    private readonly identifierHashKey: string,
  ) {}

  async erase(messages: readonly AlertErasedMessage[]): Promise<string[]> {
    const ids = [...new Set(messages.map((m) => m.alertId.toLowerCase()))];
    if (ids.length === 0) return [];
    await this.db.query(
      `INSERT INTO coordination.erased_alerts (alert_id, cause, erased_at) SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) ON CONFLICT DO NOTHING`,
      [messages.map((m) => m.alertId.toLowerCase()), messages.map((m) => m.cause), messages.map((m) => m.erasedAt)],
    );
    await this.db.query(`DELETE FROM coordination.alert_contents WHERE alert_id = ANY($1::text[])`, [ids]);
    await this.db.query(
      `UPDATE coordination.feed_alerts SET headline = NULL, updated_at = now() WHERE alert_id = ANY($1::text[]) AND headline IS NOT NULL`,
      [ids],
    );
    await this.db.query(
      `UPDATE coordination.feed_entries SET entry = (entry - 'alert' - 'cancelReason') #- '{ack,note}' || '{"erased": true}'::jsonb WHERE alert_id = ANY($1::text[])`,
      [ids],
    );
    await this.db.query(`DELETE FROM coordination.correlation_identifiers WHERE alert_id = ANY($1::uuid[])`, [ids]);
    await this.eraseCorrelationIdentifiers(ids);
    await this.db.query(
      `DELETE FROM coordination.outbox WHERE topic = ANY($1::text[]) AND (value::jsonb ->> 'alertId') = ANY($2::text[])`,
      [CONTENT_TOPICS, ids],
    );
    return ids;
  }

  private async eraseCorrelationIdentifiers(ids: string[]): Promise<void> {
    const rows: { correlation_id: string; identifier_kind: string; identifier_key: string }[] = await this.db.query(
      `SELECT correlation_id::text, identifier_kind, identifier_key FROM coordination.correlations
       WHERE alert_ids && $1::text[] AND identifier_key NOT LIKE 'erased:%' FOR UPDATE`,
      [ids],
    );
    if (rows.length === 0) return;
    await this.db.query(
      `UPDATE coordination.correlations c SET identifier_key = 'erased:' || v.key_hash
       FROM unnest($1::uuid[], $2::text[]) AS v(correlation_id, key_hash) WHERE c.correlation_id = v.correlation_id`,
      [
        rows.map((r) => r.correlation_id),
        rows.map((r) => identifierKeyHash(this.identifierHashKey, r.identifier_kind, r.identifier_key)),
      ],
    );
    // The feed's copies of those correlations: no identifier, notices re-rendered without it.
    const entries: {
      seq: string;
      entry: { correlation?: { identifier: unknown; notices: (CorrelationNotice & { text: string })[] } };
    }[] = await this.db.query(
      `SELECT seq, entry FROM coordination.feed_entries WHERE type = 'correlation.found' AND entry->'correlation'->>'correlationId' = ANY($1::text[])`,
      [rows.map((r) => r.correlation_id)],
    );
    for (const { seq, entry } of entries) {
      if (!entry.correlation) continue;
      entry.correlation.identifier = null;
      entry.correlation.notices = entry.correlation.notices.map((notice) => ({
        ...notice,
        text: renderNotice(notice, null),
      }));
      await this.db.query(`UPDATE coordination.feed_entries SET entry = $2 WHERE seq = $1`, [
        seq,
        JSON.stringify(entry),
      ]);
    }
  }
}
