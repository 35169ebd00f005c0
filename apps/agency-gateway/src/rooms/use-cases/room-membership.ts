import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { HubService } from '@hub/contracts/topics';
import { auditMessage } from '@hub/kafka/audit.publisher';
import { OutboxService } from '@hub/kafka/outbox.service';
import { ErrorCode, HubError } from '@hub/platform/errors';
import { ReferenceSnapshot } from '../../reference/reference.snapshot';
import { RoomAccess } from '../room-access';
import { MAX_ROOM_MEMBERS, memberErrors } from '../room-rules';
import { RoomsRepository } from '../rooms.repository';

/** The owner adds and removes members of an open room; each change is one audited fact. */
@Injectable()
export class RoomMembership {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly rooms: RoomsRepository,
    private readonly access: RoomAccess,
    private readonly reference: ReferenceSnapshot,
    private readonly outbox: OutboxService,
  ) {}

  async add(principal: Principal, roomId: string, agencyId: string): Promise<{ roomId: string; agencyId: string }> {
    const { view } = await this.reference.load();
    const problems = memberErrors([agencyId], view.agencies, () => 'agencyId');
    if (problems.length > 0) throw HubError.validation(problems);
    const ids = await this.dataSource.transaction(async (manager) => {
      const room = await this.access.asOwner(principal, roomId, 'room-member-add', manager);
      this.access.assertOpen(room);
      const current = (await this.rooms.within(manager).members([roomId])).get(roomId) ?? [];
      if (current.length >= MAX_ROOM_MEMBERS)
        throw HubError.validation([{ path: 'agencyId', message: `a room has at most ${MAX_ROOM_MEMBERS} members` }]);
      if (!(await this.rooms.within(manager).addMember(roomId, agencyId)))
        throw new HubError(ErrorCode.Conflict, `${agencyId} is a member already`, [
          { path: 'agencyId', message: 'is a member already' },
        ]);
      return this.outbox.enqueue(manager, [
        await this.rooms.within(manager).referenceMessage(roomId),
        auditMessage(HubService.AgencyGateway, {
          type: AuditEventType.RoomMemberAdded,
          actor: actorOf(principal),
          recipient: agencyId,
          details: { roomId, fromCursor: String(room.lastMessageSeq) },
        }),
      ]);
    });
    await this.outbox.publish(ids);
    return { roomId, agencyId };
  }

  async remove(principal: Principal, roomId: string, agencyId: string): Promise<void> {
    const ids = await this.dataSource.transaction(async (manager) => {
      const room = await this.access.asOwner(principal, roomId, 'room-member-remove', manager);
      this.access.assertOpen(room);
      if (agencyId === room.owner)
        throw HubError.validation([{ path: 'agencyId', message: 'the owner cannot leave its own room' }]);
      if (!(await this.rooms.within(manager).removeMember(roomId, agencyId))) throw HubError.notFound('member');
      return this.outbox.enqueue(manager, [
        await this.rooms.within(manager).referenceMessage(roomId),
        auditMessage(HubService.AgencyGateway, {
          type: AuditEventType.RoomMemberRemoved,
          actor: actorOf(principal),
          recipient: agencyId,
          details: { roomId },
        }),
      ]);
    });
    await this.outbox.publish(ids);
  }
}
