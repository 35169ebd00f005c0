import { MigrationInterface, QueryRunner } from 'typeorm';

/** A delivery that withdraws an alert from its recipient (a recall by update or deactivation): see InboxService. */
export class GatewayWithdrawn1764201600310 implements MigrationInterface {
  name = 'GatewayWithdrawn1764201600310';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.inbox ADD COLUMN withdrawn boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.inbox DROP COLUMN withdrawn`);
  }
}
