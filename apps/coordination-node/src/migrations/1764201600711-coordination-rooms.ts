import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The node's replica of operation rooms (Topic.Rooms): members and closure only, never a room's name, purpose or
 * messages. Routing reads it like sharing groups (docs/decisions/019-rooms-and-partner-agencies.md).
 */
export class CoordinationRooms1764201600711 implements MigrationInterface {
  name = 'CoordinationRooms1764201600711';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE coordination.rooms (id text PRIMARY KEY, record jsonb NOT NULL, updated_at timestamptz NOT NULL)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE coordination.rooms`);
  }
}
