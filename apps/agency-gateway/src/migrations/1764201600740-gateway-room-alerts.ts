import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The alerts addressed to a room (GET /v1/rooms/{roomId}/alerts) and erasure of a room on request
 * (docs/decisions/019-rooms-and-partner-agencies.md).
 *
 * - gateway.room_alerts: one row per alert version per room its `distribution.rooms` names, written by a trigger on
 *   gateway.alert_versions, so that every path that stores a version (submission, update, cancel, batch, idempotent
 *   retries) indexes it without each having to. It is not derived at read time from `content`, because erasure sets
 *   the content to NULL and an erased alert must still be listed (as erased). That an alert was addressed to a room
 *   is metadata (who sent to whom), like the routing decisions, not content. `seq` orders a room's list (the cursor):
 *   an update that still names the room is listed again, after the alerts addressed to it since.
 * - gateway.rooms.erasure: who asked for an erasure on request, why, and the salt of the reason's commitment.
 */
export class GatewayRoomAlerts1764201600740 implements MigrationInterface {
  name = 'GatewayRoomAlerts1764201600740';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE gateway.room_alerts (
      room_id uuid NOT NULL,
      seq bigint GENERATED ALWAYS AS IDENTITY,
      alert_id uuid NOT NULL,
      version int NOT NULL,
      PRIMARY KEY (room_id, seq),
      UNIQUE (alert_id, version, room_id)
    )`);
    await q.query(`CREATE FUNCTION gateway.index_room_alerts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO gateway.room_alerts (room_id, alert_id, version)
        SELECT DISTINCT r::uuid, NEW.alert_id, NEW.version
        FROM jsonb_array_elements_text(${roomsOf('NEW.content')}) AS r
        WHERE r ~* '${UUID}'
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    // The condition keeps the function off the hot path: most alerts name no room (an erased version, content NULL,
    // fails it too).
    await q.query(`CREATE TRIGGER alert_versions_room_alerts AFTER INSERT ON gateway.alert_versions
      FOR EACH ROW WHEN (jsonb_typeof(NEW.content->'distribution'->'rooms') = 'array')
      EXECUTE FUNCTION gateway.index_room_alerts()`);
    // Versions stored before (not erased yet: an erased one has no content left to say which room it named).
    await q.query(`INSERT INTO gateway.room_alerts (room_id, alert_id, version)
      SELECT DISTINCT r::uuid, v.alert_id, v.version
      FROM gateway.alert_versions v, jsonb_array_elements_text(${roomsOf('v.content')}) AS r
      WHERE v.content IS NOT NULL AND r ~* '${UUID}'
      ORDER BY v.alert_id, v.version
      ON CONFLICT DO NOTHING`);
    await q.query(`ALTER TABLE gateway.rooms ADD COLUMN erasure jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE gateway.rooms DROP COLUMN erasure`);
    await q.query(`DROP TRIGGER alert_versions_room_alerts ON gateway.alert_versions`);
    await q.query(`DROP FUNCTION gateway.index_room_alerts()`);
    await q.query(`DROP TABLE gateway.room_alerts`);
  }
}

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** The `distribution.rooms` array of a content, or an empty one (absent when the alert names no room). */
function roomsOf(content: string): string {
  return `CASE WHEN jsonb_typeof(${content}->'distribution'->'rooms') = 'array' THEN ${content}->'distribution'->'rooms' ELSE '[]'::jsonb END`;
}
