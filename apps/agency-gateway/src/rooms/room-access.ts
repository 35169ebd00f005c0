import { Injectable } from '@nestjs/common';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { SqlRunner } from '@hub/database/sql-runner';
import { AuditPublisher } from '@hub/kafka/audit.publisher';
import { ErrorCode, HubError } from '@hub/platform/errors';
import { RoomsRepository, RoomRecord } from './rooms.repository';
import { roomState } from './room-rules';

/**
 * Who may do what in a room. Anyone who is not a current member gets 404 (the room does not exist for it) and an
 * audited access.denied; a member who is not the owner gets 403 for an owner's action (it knows the room exists).
 */
@Injectable()
export class RoomAccess {
  constructor(
    private readonly rooms: RoomsRepository,
    private readonly audit: AuditPublisher,
  ) {}

  async asMember(
    principal: Principal,
    roomId: string,
    action: string,
    options: { within?: SqlRunner; lock?: boolean } = {},
  ): Promise<RoomRecord> {
    const repository = options.within ? this.rooms.within(options.within) : this.rooms;
    const room = await repository.findForMember(roomId, principal.agencyId, options.lock ?? false);
    if (room !== null) return room;
    await this.audit.publish([
      {
        type: AuditEventType.AccessDenied,
        actor: actorOf(principal),
        reason: 'not-a-room-member',
        details: { action, roomId },
      },
    ]);
    throw HubError.notFound('room');
  }

  async asOwner(principal: Principal, roomId: string, action: string, within?: SqlRunner): Promise<RoomRecord> {
    const room = await this.asMember(principal, roomId, action, { within, lock: within !== undefined });
    if (room.owner !== principal.agencyId)
      throw new HubError(ErrorCode.Forbidden, `only the owner of the room (${room.owner}) may do that`);
    return room;
  }

  /** A closed room is read-only: 409. */
  assertOpen(room: RoomRecord, now: Date = new Date()): void {
    const state = roomState(room, now);
    if (state !== 'open')
      throw new HubError(ErrorCode.Conflict, `the room is ${state}: it is read-only`, [
        { path: 'roomId', message: `room is ${state}` },
      ]);
  }

  /** An erased room's content paths (messages, alerts) answer 410, as an erased alert's do; its metadata stays readable. */
  assertNotErased(room: RoomRecord): void {
    if (room.erasedAt !== null)
      throw new HubError(
        ErrorCode.Gone,
        `The content of room ${room.roomId} was erased on ${room.erasedAt.toISOString()}`,
        [{ path: 'roomId', message: 'content erased' }],
      );
  }
}
