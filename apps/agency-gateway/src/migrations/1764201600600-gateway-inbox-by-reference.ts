import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbox rows reference the version's content instead of holding a copy per recipient (issue "facts per outcome",
 * deliveries per version): `has_content` says whether the row shows the content of (alert_id, version), which lives
 * once in gateway.alert_versions with its signature. The copies of existing rows were that same content (routing
 * passed on what the gateway accepted), so converting them changes no answer. Reads go through the view
 * gateway.inbox_items, the one place the two tables are joined.
 */
export class GatewayInboxByReference1764201600600 implements MigrationInterface {
  name = 'GatewayInboxByReference1764201600600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.inbox ADD COLUMN has_content boolean NOT NULL DEFAULT false`);
    await q.query(`UPDATE gateway.inbox SET has_content = true WHERE alert IS NOT NULL`);
    // (Dropping `alert` drops the CHECK that named it: the same rule, on the new column.)
    await q.query(`ALTER TABLE gateway.inbox DROP COLUMN alert, DROP COLUMN signature`);
    await q.query(
      `ALTER TABLE gateway.inbox ADD CONSTRAINT inbox_match_has_no_content CHECK ((kind = 'match') = (match IS NOT NULL) AND (kind <> 'match' OR NOT has_content))`,
    );
    await q.query(INBOX_ITEMS_VIEW);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW gateway.inbox_items`);
    await q.query(`ALTER TABLE gateway.inbox ADD COLUMN alert jsonb, ADD COLUMN signature text`);
    await q.query(
      `UPDATE gateway.inbox i SET alert = v.content, signature = v.signature FROM gateway.alert_versions v
       WHERE i.has_content AND v.alert_id = i.alert_id AND v.version = i.version`,
    );
    await q.query(`ALTER TABLE gateway.inbox DROP CONSTRAINT inbox_match_has_no_content`);
    await q.query(`ALTER TABLE gateway.inbox DROP COLUMN has_content`);
    await q.query(
      `ALTER TABLE gateway.inbox ADD CONSTRAINT inbox_match_has_no_content CHECK ((kind = 'match') = (match IS NOT NULL) AND (kind <> 'match' OR alert IS NULL))`,
    );
  }
}

/** An inbox row as its recipient sees it. (A view fixes its column list when created: recreate it when inbox gains one.) */
const INBOX_ITEMS_VIEW = `CREATE VIEW gateway.inbox_items AS
  SELECT i.recipient, i.seq, i.delivery_id, i.alert_id, i.version, i.kind, i.sender, i.cancel_reason, i.match, i.withdrawn, i.erased,
         i.delivered_at, i.has_content,
         CASE WHEN i.has_content THEN v.content END AS alert,
         CASE WHEN i.has_content AND v.content IS NOT NULL THEN v.signature END AS signature
  FROM gateway.inbox i LEFT JOIN gateway.alert_versions v ON v.alert_id = i.alert_id AND v.version = i.version`;
