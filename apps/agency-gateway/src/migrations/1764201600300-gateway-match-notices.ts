import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * For the agency console and match notices. Match notices live in the inbox beside alert deliveries (one sequence per agency, one stream): an item of kind
 * `match` carries the notice in `match` and no alert content.
 */
export class GatewayMatchNotices1764201600300 implements MigrationInterface {
  name = 'GatewayMatchNotices1764201600300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.inbox ADD COLUMN match jsonb`);
    // GET /v1/alerts lists an agency's own alerts newest first.
    await q.query(`CREATE INDEX alerts_sender_created ON gateway.alerts (sender, created_at DESC)`);
    await q.query(
      `ALTER TABLE gateway.inbox ADD CONSTRAINT inbox_match_has_no_content CHECK ((kind = 'match') = (match IS NOT NULL) AND (kind <> 'match' OR alert IS NULL))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM gateway.inbox WHERE kind = 'match'`);
    await q.query(`ALTER TABLE gateway.inbox DROP CONSTRAINT inbox_match_has_no_content`);
    await q.query(`ALTER TABLE gateway.inbox DROP COLUMN match`);
    await q.query(`DROP INDEX gateway.alerts_sender_created`);
  }
}
