import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RoomRecord as RoomReferenceRecord } from '@hub/contracts/reference';
import { Topic } from '@hub/contracts/topics';
import { SqlRunner } from '@hub/database/sql-runner';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { INBOX_CHANNEL } from '../inbox/inbox.notifier';

/** A room as stored; name and purpose are null once its content was erased. */
export interface RoomRecord {
  roomId: string;
  owner: string;
  name: string | null;
  purpose: string | null;
  closesAt: Date;
  closedAt: Date | null;
  closedBy: string | null;
  createdAt: Date;
  retainUntil: Date;
  erasedAt: Date | null;
  lastMessageSeq: number;
}

export interface RoomMember {
  agencyId: string;
  joinedAt: Date;
  /** the member sees the messages after this one */
  fromSeq: number;
}

export interface NewRoom {
  roomId: string;
  owner: string;
  name: string;
  purpose: string;
  salt: Buffer;
  commitment: string;
  closesAt: string;
  retainUntil: Date;
  members: string[];
}

export interface RoomMessage {
  messageId: string;
  cursor: string;
  author: string;
  text: string | null;
  postedAt: string;
  erased: boolean;
}

/** One inbox row written for a room message. */
export interface RoomDelivery {
  recipient: string;
  deliveryId: string;
  inboxSeq: number;
}

interface RoomRow {
  room_id: string;
  owner: string;
  name: string | null;
  purpose: string | null;
  closes_at: Date;
  closed_at: Date | null;
  closed_by: string | null;
  created_at: Date;
  retain_until: Date;
  erased_at: Date | null;
  last_message_seq: string;
}

const ROOM_COLUMNS = `r.room_id, r.owner, r.name, r.purpose, r.closes_at, r.closed_at, r.closed_by, r.created_at, r.retain_until,
  r.erased_at, r.last_message_seq`;

function room(row: RoomRow): RoomRecord {
  return {
    roomId: row.room_id,
    owner: row.owner,
    name: row.name,
    purpose: row.purpose,
    closesAt: row.closes_at,
    closedAt: row.closed_at,
    closedBy: row.closed_by,
    createdAt: row.created_at,
    retainUntil: row.retain_until,
    erasedAt: row.erased_at,
    lastMessageSeq: Number(row.last_message_seq),
  };
}

/**
 * An inbox row per member for one message, in one statement: each recipient's counter is bumped in name order (as
 * STORE_SQL does, so the two cannot deadlock), and the NOTIFY wakes the streams of other replicas at commit.
 */
const DELIVER_SQL = `
  WITH r AS (SELECT * FROM unnest($1::text[], $2::uuid[]) AS r(recipient, delivery_id)),
  bumped AS (
    INSERT INTO gateway.inbox_counters AS c (recipient, last_seq)
    SELECT recipient, 1 FROM r ORDER BY recipient
    ON CONFLICT (recipient) DO UPDATE SET last_seq = c.last_seq + 1
    RETURNING c.recipient, c.last_seq
  ), inserted AS (
    INSERT INTO gateway.inbox (recipient, seq, delivery_id, alert_id, version, kind, sender, has_content, room_message_id)
    SELECT r.recipient, b.last_seq, r.delivery_id, NULL, NULL, 'room-message', $3, false, $4
    FROM r JOIN bumped b ON b.recipient = r.recipient
    RETURNING recipient, seq, delivery_id
  )
  SELECT i.recipient, i.seq::text AS seq, i.delivery_id, pg_notify($5, i.recipient || ' ' || i.seq)::text AS notified
  FROM inserted i ORDER BY i.recipient`;

/**
 * The operation rooms aggregate: gateway.rooms, its members and its messages (and the inbox rows a message is
 * delivered into). Injected with the DataSource; `within(transaction)` runs the same statements in a transaction.
 */
@Injectable()
export class RoomsRepository {
  constructor(@InjectDataSource() private readonly db: SqlRunner) {}

  within(transaction: SqlRunner): RoomsRepository {
    return new RoomsRepository(transaction);
  }

  async insert(created: NewRoom): Promise<void> {
    await this.db.query(
      `INSERT INTO gateway.rooms (room_id, owner, name, purpose, description_salt, description_commitment, closes_at, retain_until)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        created.roomId,
        created.owner,
        created.name,
        created.purpose,
        created.salt,
        created.commitment,
        created.closesAt,
        created.retainUntil,
      ],
    );
    await this.db.query(
      `INSERT INTO gateway.room_members (room_id, agency_id, from_seq) SELECT $1, unnest($2::text[]), 0`,
      [created.roomId, created.members],
    );
  }

  /** Any room, locked until the end of the transaction: for an admin's erasure, which knows no membership. */
  async lock(roomId: string): Promise<RoomRecord | null> {
    const [row] = await this.db.query<RoomRow>(
      `SELECT ${ROOM_COLUMNS} FROM gateway.rooms r WHERE r.room_id = $1 FOR UPDATE`,
      [roomId],
    );
    return row ? room(row) : null;
  }

  /** How the room's content was erased (RoomErasure, as stored), and when; null while it is not. */
  async erasure(roomId: string): Promise<{ erasure: Record<string, unknown>; erasedAt: Date } | null> {
    const [row] = await this.db.query<{ erasure: Record<string, unknown> | null; erased_at: Date | null }>(
      `SELECT erasure, erased_at FROM gateway.rooms WHERE room_id = $1`,
      [roomId],
    );
    return row?.erased_at && row.erasure ? { erasure: row.erasure, erasedAt: row.erased_at } : null;
  }

  /** The room, if `agencyId` is one of its current members (anyone else may not know it exists). */
  async findForMember(roomId: string, agencyId: string, lock = false): Promise<RoomRecord | null> {
    const [row] = await this.db.query<RoomRow>(
      `SELECT ${ROOM_COLUMNS} FROM gateway.rooms r
       JOIN gateway.room_members m ON m.room_id = r.room_id AND m.agency_id = $2 AND m.removed_at IS NULL
       WHERE r.room_id = $1 ${lock ? 'FOR UPDATE OF r' : ''}`,
      [roomId, agencyId],
    );
    return row ? room(row) : null;
  }

  async forMember(agencyId: string): Promise<(RoomRecord & { members: RoomMember[] })[]> {
    const rows = await this.db.query<RoomRow>(
      `SELECT ${ROOM_COLUMNS} FROM gateway.rooms r
       JOIN gateway.room_members m ON m.room_id = r.room_id AND m.agency_id = $1 AND m.removed_at IS NULL
       ORDER BY r.created_at DESC, r.room_id`,
      [agencyId],
    );
    const members = await this.members(rows.map((row) => row.room_id));
    return rows.map((row) => ({ ...room(row), members: members.get(row.room_id) ?? [] }));
  }

  /** Current members of each room, in the order they joined. */
  async members(roomIds: readonly string[]): Promise<Map<string, RoomMember[]>> {
    const found = new Map<string, RoomMember[]>();
    if (roomIds.length === 0) return found;
    const rows = await this.db.query<{ room_id: string; agency_id: string; joined_at: Date; from_seq: string }>(
      `SELECT room_id, agency_id, joined_at, from_seq FROM gateway.room_members
       WHERE room_id = ANY($1::uuid[]) AND removed_at IS NULL ORDER BY room_id, joined_at, agency_id`,
      [roomIds],
    );
    for (const row of rows) {
      const list = found.get(row.room_id) ?? [];
      list.push({ agencyId: row.agency_id, joinedAt: row.joined_at, fromSeq: Number(row.from_seq) });
      found.set(row.room_id, list);
    }
    return found;
  }

  /** Adds (or re-adds) a member, who sees the messages posted from now on. False when it is a member already. */
  async addMember(roomId: string, agencyId: string): Promise<boolean> {
    const rows = await this.db.query<{ agency_id: string }>(
      `INSERT INTO gateway.room_members (room_id, agency_id, from_seq)
       SELECT $1, $2, last_message_seq FROM gateway.rooms WHERE room_id = $1
       ON CONFLICT (room_id, agency_id) DO UPDATE
         SET from_seq = excluded.from_seq, joined_at = now(), removed_at = NULL
         WHERE gateway.room_members.removed_at IS NOT NULL
       RETURNING agency_id`,
      [roomId, agencyId],
    );
    return rows.length > 0;
  }

  /** False when it was not a member. */
  async removeMember(roomId: string, agencyId: string): Promise<boolean> {
    const rows = await this.db.query<{ agency_id: string }>(
      `UPDATE gateway.room_members SET removed_at = now() WHERE room_id = $1 AND agency_id = $2 AND removed_at IS NULL
       RETURNING agency_id`,
      [roomId, agencyId],
    );
    return rows.length > 0;
  }

  /**
   * Stores a message as the room's next one and delivers it into each current member's inbox. Run in a transaction
   * that locked the room (findForMember with lock), so messages take their seqs in commit order.
   */
  async postMessage(message: {
    roomId: string;
    messageId: string;
    author: string;
    text: string;
    salt: Buffer;
    commitment: string;
    deliveries: { recipient: string; deliveryId: string }[];
  }): Promise<{ seq: number; postedAt: Date; delivered: RoomDelivery[] }> {
    const [{ seq, posted_at }] = await this.db.query<{ seq: string; posted_at: Date }>(
      `WITH bumped AS (UPDATE gateway.rooms SET last_message_seq = last_message_seq + 1 WHERE room_id = $1 RETURNING last_message_seq)
       INSERT INTO gateway.room_messages (message_id, room_id, seq, author, text, salt, commitment)
       SELECT $2, $1, last_message_seq, $3, $4, $5, $6 FROM bumped RETURNING seq::text, posted_at`,
      [message.roomId, message.messageId, message.author, message.text, message.salt, message.commitment],
    );
    const rows = await this.db.query<{ recipient: string; seq: string; delivery_id: string }>(DELIVER_SQL, [
      message.deliveries.map((d) => d.recipient),
      message.deliveries.map((d) => d.deliveryId),
      message.author,
      message.messageId,
      INBOX_CHANNEL,
    ]);
    return {
      seq: Number(seq),
      postedAt: posted_at,
      delivered: rows.map((row) => ({
        recipient: row.recipient,
        deliveryId: row.delivery_id,
        inboxSeq: Number(row.seq),
      })),
    };
  }

  /** A member's page of messages: those after `after` and after the one that was last when it joined. */
  async messages(roomId: string, agencyId: string, after: number, limit: number): Promise<RoomMessage[]> {
    const rows = await this.db.query<{
      message_id: string;
      seq: string;
      author: string;
      text: string | null;
      posted_at: Date;
    }>(
      `SELECT g.message_id, g.seq::text, g.author, g.text, g.posted_at FROM gateway.room_messages g
       JOIN gateway.room_members m ON m.room_id = g.room_id AND m.agency_id = $2
       WHERE g.room_id = $1 AND g.seq > greatest($3::bigint, m.from_seq) ORDER BY g.seq LIMIT $4`,
      [roomId, agencyId, after, limit],
    );
    return rows.map((row) => ({
      messageId: row.message_id,
      cursor: row.seq,
      author: row.author,
      text: row.text,
      postedAt: row.posted_at.toISOString(),
      erased: row.text === null,
    }));
  }

  /**
   * The room's reference record for Topic.Rooms (members, closure and the name, null once erased; never the purpose
   * or messages), as of this transaction: enqueued in the outbox with each change, so the node routes alerts
   * addressed to it and its dashboard lists the room.
   */
  async referenceMessage(roomId: string): Promise<OutgoingMessage> {
    const [row] = await this.db.query<{
      name: string | null;
      closes_at: Date;
      closed_at: Date | null;
      members: string[];
    }>(
      `SELECT r.name, r.closes_at, r.closed_at,
              coalesce(array_agg(m.agency_id ORDER BY m.agency_id) FILTER (WHERE m.agency_id IS NOT NULL), '{}') AS members
       FROM gateway.rooms r LEFT JOIN gateway.room_members m ON m.room_id = r.room_id AND m.removed_at IS NULL
       WHERE r.room_id = $1 GROUP BY r.room_id`,
      [roomId],
    );
    const value: RoomReferenceRecord = {
      id: roomId,
      name: row.name,
      members: row.members,
      closesAt: row.closes_at.toISOString(),
      closedAt: row.closed_at?.toISOString() ?? null,
      updatedAt: new Date().toISOString(),
    };
    return { topic: Topic.Rooms, key: roomId, value };
  }

  /** The rooms among `roomIds`, with their current members, for checking an alert that names them. */
  async views(
    roomIds: readonly string[],
  ): Promise<{ id: string; members: string[]; closesAt: string; closedAt: string | null }[]> {
    if (roomIds.length === 0) return [];
    const rows = await this.db.query<{ room_id: string; closes_at: Date; closed_at: Date | null; members: string[] }>(
      `SELECT r.room_id, r.closes_at, r.closed_at,
              coalesce(array_agg(m.agency_id) FILTER (WHERE m.agency_id IS NOT NULL), '{}') AS members
       FROM gateway.rooms r LEFT JOIN gateway.room_members m ON m.room_id = r.room_id AND m.removed_at IS NULL
       WHERE r.room_id = ANY($1::uuid[]) GROUP BY r.room_id`,
      [roomIds.filter((id) => /^[0-9a-f-]{36}$/.test(id))],
    );
    return rows.map((row) => ({
      id: row.room_id,
      members: row.members,
      closesAt: row.closes_at.toISOString(),
      closedAt: row.closed_at?.toISOString() ?? null,
    }));
  }

  /** Closes an open room; false when it was closed already. */
  async close(roomId: string, by: string, at: Date): Promise<boolean> {
    const rows = await this.db.query<{ room_id: string }>(
      `UPDATE gateway.rooms SET closed_at = $3, closed_by = $2 WHERE room_id = $1 AND closed_at IS NULL RETURNING room_id`,
      [roomId, by, at],
    );
    return rows.length > 0;
  }

  /** Rooms whose closesAt has passed but that are not recorded as closed yet, locked for this sweep. */
  async closingDue(now: Date, limit: number): Promise<{ roomId: string; closesAt: Date }[]> {
    const rows = await this.db.query<{ room_id: string; closes_at: Date }>(
      `SELECT room_id, closes_at FROM gateway.rooms WHERE closed_at IS NULL AND closes_at <= $1
       ORDER BY closes_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map((row) => ({ roomId: row.room_id, closesAt: row.closes_at }));
  }

  /** Rooms whose retention has ended and whose content is still held, locked for this sweep. */
  async retentionDue(now: Date, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ room_id: string }>(
      `SELECT room_id FROM gateway.rooms WHERE erased_at IS NULL AND retain_until <= $1
       ORDER BY retain_until LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map((row) => row.room_id);
  }

  /**
   * Removes a room's content: name, purpose, every message text and the salts of their commitments. Who was in it,
   * who posted when, and the commitments stay (so the log still verifies, and nothing can be opened again). Returns
   * the rooms erased now (one erased before is left as it was). `erasure`: why (retention, or who asked and why).
   */
  async erase(roomIds: readonly string[], at: Date, erasure: Record<string, unknown>): Promise<string[]> {
    if (roomIds.length === 0) return [];
    const rows = await this.db.query<{ room_id: string }>(
      `WITH erased AS (
         UPDATE gateway.rooms SET name = NULL, purpose = NULL, description_salt = NULL, erased_at = $2, erasure = $3,
           closed_at = COALESCE(closed_at, $2), closed_by = COALESCE(closed_by, $4)
         WHERE room_id = ANY($1::uuid[]) AND erased_at IS NULL RETURNING room_id::text)
       SELECT room_id FROM erased`,
      [roomIds, at, JSON.stringify(erasure), erasure.cause],
    );
    const erased = rows.map((row) => row.room_id);
    if (erased.length > 0)
      await this.db.query(
        `UPDATE gateway.room_messages SET text = NULL, salt = NULL WHERE room_id = ANY($1::uuid[]) AND text IS NOT NULL`,
        [erased],
      );
    return erased;
  }
}
