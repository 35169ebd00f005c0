import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEvent, AuditEventType } from '@hub/contracts/audit-event';
import { CoordinationConfig } from '../coordination.config';

/** One operation room as the analysts' dashboard shows it: metadata only, never its purpose or messages. */
export interface RoomOverview {
  roomId: string;
  /** null once the gateway erased the room's content (or for a record from before rooms carried their name) */
  name: string | null;
  members: string[];
  state: 'open' | 'closed';
  closesAt: string;
  messageCount: number;
  lastActivityAt: string | null;
  /** the regional centre is a member: its analysts may read the messages in the console with the centre's key */
  centreIsMember: boolean;
}

interface RoomRow {
  id: string;
  record: { name?: string | null; members: string[]; closesAt: string; closedAt?: string | null };
  message_count: number;
  last_activity_at: Date | null;
}

/**
 * The rooms the node knows (its Topic.Rooms replica) with their activity, counted from the gateway's
 * room.message-posted facts: each stored once by eventId, so a redelivered or replayed fact counts once.
 */
@Injectable()
export class RoomsOverview {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: CoordinationConfig,
  ) {}

  /** Stores the batch's room.message-posted facts (idempotent); the other facts are not this table's. */
  async recordActivity(events: readonly AuditEvent[]): Promise<void> {
    const posted = events.filter(
      (event) => event.type === AuditEventType.RoomMessagePosted && typeof event.details?.roomId === 'string',
    );
    if (posted.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO coordination.room_messages (event_id, room_id, posted_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[]) ON CONFLICT (event_id) DO NOTHING`,
      [
        posted.map((event) => event.eventId),
        posted.map((event) => String(event.details.roomId).toLowerCase()),
        posted.map((event) => event.at),
      ],
    );
  }

  /** Every room, the most recently active (or created) first. */
  async list(now: Date = new Date()): Promise<RoomOverview[]> {
    const rows: RoomRow[] = await this.dataSource.query(
      `SELECT r.id, r.record, coalesce(a.message_count, 0)::int AS message_count, a.last_activity_at
       FROM coordination.rooms r
       LEFT JOIN (SELECT room_id, count(*) AS message_count, max(posted_at) AS last_activity_at
                  FROM coordination.room_messages GROUP BY room_id) a ON a.room_id = r.id
       ORDER BY a.last_activity_at DESC NULLS LAST, r.updated_at DESC`,
    );
    return rows.map((row) => this.overview(row, now));
  }

  private overview(row: RoomRow, now: Date): RoomOverview {
    const { record } = row;
    const closed = (record.closedAt ?? null) !== null || Date.parse(record.closesAt) <= now.getTime();
    return {
      roomId: row.id,
      name: record.name ?? null,
      members: record.members,
      state: closed ? 'closed' : 'open',
      closesAt: record.closesAt,
      messageCount: row.message_count,
      lastActivityAt: row.last_activity_at?.toISOString() ?? null,
      centreIsMember: record.members.includes(this.config.REGIONAL_CENTRE_ID),
    };
  }
}
