import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { HubService } from '@hub/contracts/topics';
import { auditMessage } from '@hub/kafka/audit.publisher';
import { OutboxService } from '@hub/kafka/outbox.service';
import {
  COMMITMENT_DOMAINS,
  CONTENT_COMMITMENT_SCHEME,
  newContentSalt,
  saltedCommitment,
} from '@hub/merkle/content-commitment';
import { HubError } from '@hub/platform/errors';
import { GatewayConfig } from '../../gateway.config';
import { ReferenceSnapshot } from '../../reference/reference.snapshot';
import { CreateRoomRequest } from '../dto/rooms.dto';
import { closesAtErrors, initialMembers, memberErrors } from '../room-rules';
import { RoomsRepository } from '../rooms.repository';

/** An agency opens a room: it owns it and is its first member; name and purpose are committed to, not logged. */
@Injectable()
export class CreateRoom {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly rooms: RoomsRepository,
    private readonly reference: ReferenceSnapshot,
    private readonly outbox: OutboxService,
    private readonly config: GatewayConfig,
  ) {}

  async create(principal: Principal, request: CreateRoomRequest): Promise<{ roomId: string }> {
    const now = new Date();
    const { view } = await this.reference.load();
    const problems = [
      ...memberErrors(request.members, view.agencies, (index) => `members[${index}]`),
      ...closesAtErrors(request.closesAt, now),
    ];
    if (problems.length > 0) throw HubError.validation(problems);
    const roomId = randomUUID();
    const members = initialMembers(principal.agencyId, request.members);
    const salt = newContentSalt();
    const commitment = saltedCommitment(COMMITMENT_DOMAINS.roomDescription, salt, {
      name: request.name,
      purpose: request.purpose,
    });
    // Like an alert with expiresAt: its content is kept until closesAt plus the grace, however early it closes.
    const retainUntil = new Date(Date.parse(request.closesAt) + this.config.RETENTION_GRACE_SECONDS * 1000);
    const ids = await this.dataSource.transaction(async (manager) => {
      await this.rooms.within(manager).insert({
        roomId,
        owner: principal.agencyId,
        name: request.name,
        purpose: request.purpose,
        salt,
        commitment,
        closesAt: request.closesAt,
        retainUntil,
        members,
      });
      return this.outbox.enqueue(manager, [
        await this.rooms.within(manager).referenceMessage(roomId),
        auditMessage(HubService.AgencyGateway, {
          eventId: `room-created:${roomId}`,
          type: AuditEventType.RoomCreated,
          actor: actorOf(principal),
          details: {
            roomId,
            members,
            closesAt: new Date(request.closesAt).toISOString(),
            retainUntil: retainUntil.toISOString(),
            descriptionCommitment: { scheme: CONTENT_COMMITMENT_SCHEME, hash: commitment },
          },
        }),
      ]);
    });
    await this.outbox.publish(ids);
    return { roomId };
  }
}
