import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each room.message-posted fact the feed consumer saw, once (key = eventId): who posted in which room and when, no
 * text (the fact carries a commitment only). The dashboard counts a room's messages and its last activity from it
 * (docs/decisions/019-rooms-and-partner-agencies.md, "Rooms on the analysts' dashboard").
 */
export class CoordinationRoomActivity1764201600712 implements MigrationInterface {
  name = 'CoordinationRoomActivity1764201600712';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE coordination.room_messages (event_id text PRIMARY KEY, room_id text NOT NULL, posted_at timestamptz NOT NULL)`,
    );
    await q.query(`CREATE INDEX room_messages_room ON coordination.room_messages (room_id, posted_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE coordination.room_messages`);
  }
}
