import { Injectable } from '@nestjs/common';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AuditPublisher } from '@hub/kafka/audit.publisher';
import { RoomAccess } from '../room-access';
import { RoomAlert, RoomAlertsRepository } from '../room-alerts.repository';
import { RoomState, roomState } from '../room-rules';
import { RoomMember, RoomMessage, RoomRecord, RoomsRepository } from '../rooms.repository';

export interface RoomView {
  roomId: string;
  name: string | null;
  purpose: string | null;
  owner: string;
  state: RoomState;
  closesAt: string;
  closedAt: string | null;
  createdAt: string;
  /** the last message's cursor */
  lastCursor: string;
  members: { agencyId: string; joinedAt: string }[];
}

function roomView(room: RoomRecord, members: RoomMember[], now: Date): RoomView {
  return {
    roomId: room.roomId,
    name: room.name,
    purpose: room.purpose,
    owner: room.owner,
    state: roomState(room, now),
    closesAt: room.closesAt.toISOString(),
    closedAt: room.closedAt?.toISOString() ?? (room.closesAt <= now ? room.closesAt.toISOString() : null),
    createdAt: room.createdAt.toISOString(),
    lastCursor: String(room.lastMessageSeq),
    members: members.map((m) => ({ agencyId: m.agencyId, joinedAt: m.joinedAt.toISOString() })),
  };
}

/** What a member may read of its rooms. Reading messages is audited like reading the inbox: one fact per page. */
@Injectable()
export class RoomReads {
  constructor(
    private readonly rooms: RoomsRepository,
    private readonly access: RoomAccess,
    private readonly audit: AuditPublisher,
    private readonly roomAlerts: RoomAlertsRepository,
  ) {}

  async list(principal: Principal): Promise<{ items: RoomView[] }> {
    const now = new Date();
    const rooms = await this.rooms.forMember(principal.agencyId);
    return { items: rooms.map((room) => roomView(room, room.members, now)) };
  }

  async get(principal: Principal, roomId: string): Promise<RoomView> {
    const room = await this.access.asMember(principal, roomId, 'room-read');
    const members = (await this.rooms.members([roomId])).get(roomId) ?? [];
    return roomView(room, members, new Date());
  }

  async messages(
    principal: Principal,
    roomId: string,
    after: number,
    limit: number,
  ): Promise<{ items: RoomMessage[]; nextCursor: string }> {
    this.access.assertNotErased(await this.access.asMember(principal, roomId, 'room-messages'));
    const items = await this.rooms.messages(roomId, principal.agencyId, after, limit);
    if (items.length > 0) {
      await this.audit.publish([
        {
          type: AuditEventType.RoomRead,
          actor: actorOf(principal),
          details: {
            roomId,
            count: items.length,
            fromCursor: items[0].cursor,
            toCursor: items[items.length - 1].cursor,
            messageIds: items.map((item) => item.messageId),
          },
        },
      ]);
    }
    return { items, nextCursor: items.length > 0 ? items[items.length - 1].cursor : String(after) };
  }

  /**
   * The alerts addressed to the room that the member sent or received (RoomAlertsRepository). Headlines are content:
   * like a page of messages, a page of alerts is one room.read fact, naming the alert versions shown.
   */
  async alerts(
    principal: Principal,
    roomId: string,
    after: number,
    limit: number,
  ): Promise<{ items: RoomAlert[]; nextCursor: string }> {
    this.access.assertNotErased(await this.access.asMember(principal, roomId, 'room-alerts'));
    const items = await this.roomAlerts.page(roomId, principal.agencyId, after, limit);
    if (items.length > 0) {
      await this.audit.publish([
        {
          type: AuditEventType.RoomRead,
          actor: actorOf(principal),
          details: { roomId, list: 'alerts', alerts: items.map(({ alertId, version }) => ({ alertId, version })) },
        },
      ]);
    }
    return { items, nextCursor: items.length > 0 ? items[items.length - 1].cursor : String(after) };
  }
}
