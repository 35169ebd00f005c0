import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operation rooms (docs/decisions/019-rooms-and-partner-agencies.md): closed, time-boxed groups with an owner and a
 * conversation. The gateway owns them because it owns the inboxes a message is delivered into, in the same
 * transaction. Name, purpose and message texts are content: each keeps the salt of the commitment its audit fact
 * holds, and all of it goes when the room's retention ends (retain_until) or it is erased.
 *
 * A message is an inbox row of kind `room-message` with no alert (alert_id and version null) and the message it shows
 * (room_message_id); the view gateway.inbox_items joins the message, as it joins an alert version's content.
 */
export class GatewayRooms1764201600710 implements MigrationInterface {
  name = 'GatewayRooms1764201600710';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE gateway.rooms (
      room_id uuid PRIMARY KEY,
      owner text NOT NULL,
      name text,
      purpose text,
      description_salt bytea,
      description_commitment char(64) NOT NULL,
      closes_at timestamptz NOT NULL,
      closed_at timestamptz,
      closed_by text,
      last_message_seq bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      retain_until timestamptz NOT NULL,
      erased_at timestamptz,
      CHECK ((erased_at IS NULL) = (name IS NOT NULL AND purpose IS NOT NULL AND description_salt IS NOT NULL))
    )`);
    await q.query(`CREATE INDEX rooms_retention_due ON gateway.rooms (retain_until) WHERE erased_at IS NULL`);
    await q.query(`CREATE INDEX rooms_closing_due ON gateway.rooms (closes_at) WHERE closed_at IS NULL`);
    // from_seq: a member sees the messages after the one that was last when it joined (again).
    await q.query(`CREATE TABLE gateway.room_members (
      room_id uuid NOT NULL REFERENCES gateway.rooms(room_id),
      agency_id text NOT NULL,
      from_seq bigint NOT NULL,
      joined_at timestamptz NOT NULL DEFAULT now(),
      removed_at timestamptz,
      PRIMARY KEY (room_id, agency_id)
    )`);
    await q.query(`CREATE INDEX room_members_by_agency ON gateway.room_members (agency_id) WHERE removed_at IS NULL`);
    await q.query(`CREATE TABLE gateway.room_messages (
      message_id uuid PRIMARY KEY,
      room_id uuid NOT NULL REFERENCES gateway.rooms(room_id),
      seq bigint NOT NULL,
      author text NOT NULL,
      text text,
      salt bytea,
      commitment char(64) NOT NULL,
      posted_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (room_id, seq),
      CHECK ((text IS NULL) = (salt IS NULL))
    )`);
    await q.query(`DROP VIEW gateway.inbox_items`);
    await q.query(`ALTER TABLE gateway.inbox ALTER COLUMN alert_id DROP NOT NULL, ALTER COLUMN version DROP NOT NULL`);
    await q.query(
      `ALTER TABLE gateway.inbox ADD COLUMN room_message_id uuid REFERENCES gateway.room_messages(message_id)`,
    );
    await q.query(
      `ALTER TABLE gateway.inbox ADD CONSTRAINT inbox_room_message_has_no_alert CHECK ((kind = 'room-message') = (room_message_id IS NOT NULL) AND (kind = 'room-message') = (alert_id IS NULL) AND (kind <> 'room-message' OR NOT has_content))`,
    );
    await q.query(INBOX_ITEMS_VIEW);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW gateway.inbox_items`);
    await q.query(`DELETE FROM gateway.inbox WHERE kind = 'room-message'`);
    await q.query(`ALTER TABLE gateway.inbox DROP CONSTRAINT inbox_room_message_has_no_alert`);
    await q.query(`ALTER TABLE gateway.inbox DROP COLUMN room_message_id`);
    await q.query(`ALTER TABLE gateway.inbox ALTER COLUMN alert_id SET NOT NULL, ALTER COLUMN version SET NOT NULL`);
    await q.query(PREVIOUS_INBOX_ITEMS_VIEW);
    await q.query(`DROP TABLE gateway.room_messages`);
    await q.query(`DROP TABLE gateway.room_members`);
    await q.query(`DROP TABLE gateway.rooms`);
  }
}

/** As in 1764201600600, plus the room message an item of kind `room-message` shows (text null once erased). */
const INBOX_ITEMS_VIEW = `CREATE VIEW gateway.inbox_items AS
  SELECT i.recipient, i.seq, i.delivery_id, i.alert_id, i.version, i.kind, i.sender, i.cancel_reason, i.match, i.withdrawn, i.erased,
         i.delivered_at, i.has_content,
         CASE WHEN i.has_content THEN v.content END AS alert,
         CASE WHEN i.has_content AND v.content IS NOT NULL THEN v.signature END AS signature,
         CASE WHEN m.message_id IS NOT NULL THEN jsonb_build_object(
           'roomId', m.room_id, 'messageId', m.message_id, 'cursor', m.seq::text, 'author', m.author, 'text', m.text,
           'postedAt', to_char(m.posted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'erased', m.text IS NULL) END AS room_message
  FROM gateway.inbox i
  LEFT JOIN gateway.alert_versions v ON v.alert_id = i.alert_id AND v.version = i.version
  LEFT JOIN gateway.room_messages m ON m.message_id = i.room_message_id`;

const PREVIOUS_INBOX_ITEMS_VIEW = `CREATE VIEW gateway.inbox_items AS
  SELECT i.recipient, i.seq, i.delivery_id, i.alert_id, i.version, i.kind, i.sender, i.cancel_reason, i.match, i.withdrawn, i.erased,
         i.delivered_at, i.has_content,
         CASE WHEN i.has_content THEN v.content END AS alert,
         CASE WHEN i.has_content AND v.content IS NOT NULL THEN v.signature END AS signature
  FROM gateway.inbox i LEFT JOIN gateway.alert_versions v ON v.alert_id = i.alert_id AND v.version = i.version`;
