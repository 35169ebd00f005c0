import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { HubService } from '@hub/contracts/topics';
import { auditMessage } from '@hub/kafka/audit.publisher';
import { OutboxService } from '@hub/kafka/outbox.service';
import { RoomAccess } from '../room-access';
import { RoomsRepository } from '../rooms.repository';

/** The owner closes a room before closesAt: read-only from now on, readable to its members until its retention ends. */
@Injectable()
export class CloseRoom {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly rooms: RoomsRepository,
    private readonly access: RoomAccess,
    private readonly outbox: OutboxService,
  ) {}

  async close(principal: Principal, roomId: string): Promise<{ roomId: string; state: 'closed'; closedAt: string }> {
    const now = new Date();
    const ids = await this.dataSource.transaction(async (manager) => {
      const room = await this.access.asOwner(principal, roomId, 'room-close', manager);
      this.access.assertOpen(room, now);
      await this.rooms.within(manager).close(roomId, principal.agencyId, now);
      return this.outbox.enqueue(manager, [
        await this.rooms.within(manager).referenceMessage(roomId),
        auditMessage(HubService.AgencyGateway, {
          eventId: `room-closed:${roomId}`,
          type: AuditEventType.RoomClosed,
          actor: actorOf(principal),
          reason: 'owner',
          details: { roomId, lastCursor: String(room.lastMessageSeq) },
        }),
      ]);
    });
    await this.outbox.publish(ids);
    return { roomId, state: 'closed', closedAt: now.toISOString() };
  }
}
