import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agencies of states outside the membership join as `partner-agency` (docs/decisions/019-rooms-and-partner-agencies.md):
 * regional scope never reaches them. Down refuses while one exists rather than deleting an agency's history.
 */
export class GatewayPartnerAgencies1764201600700 implements MigrationInterface {
  name = 'GatewayPartnerAgencies1764201600700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.agencies DROP CONSTRAINT agencies_kind_check`);
    await q.query(
      `ALTER TABLE gateway.agencies ADD CONSTRAINT agencies_kind_check CHECK (kind IN ('national-agency', 'regional-centre', 'partner-agency'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.agencies DROP CONSTRAINT agencies_kind_check`);
    await q.query(
      `ALTER TABLE gateway.agencies ADD CONSTRAINT agencies_kind_check CHECK (kind IN ('national-agency', 'regional-centre'))`,
    );
  }
}
