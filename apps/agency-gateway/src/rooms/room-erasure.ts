import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditActor, AuditEventType } from '@hub/contracts/audit-event';
import { HubService } from '@hub/contracts/topics';
import { AuditPublisher, auditMessage } from '@hub/kafka/audit.publisher';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { OutboxService } from '@hub/kafka/outbox.service';
import {
  COMMITMENT_DOMAINS,
  CONTENT_COMMITMENT_SCHEME,
  newContentSalt,
  saltedCommitment,
} from '@hub/merkle/content-commitment';
import { HubError } from '@hub/platform/errors';
import { RoomsRepository } from './rooms.repository';

/** Why a room's content went: its retention ended, or an admin's lawful request (who asked, why, the reason's salt). */
export type RoomErasure =
  | { cause: 'retention' }
  | {
      cause: 'request';
      requestedBy: { agencyId: string; keyId: string };
      reason: string;
      /** hex salt of the commitment to `reason` that the room.erased fact holds instead of the reason */
      reasonSalt: string;
      reasonCommitment: string;
    };

/**
 * Erases the content of the rooms (RoomsRepository.erase) and returns the room.erased fact of each room erased now,
 * for the caller's outbox in the same transaction. The one place both the retention sweep and a request erase through.
 */
export async function eraseRooms(
  rooms: RoomsRepository,
  roomIds: readonly string[],
  at: Date,
  erasure: RoomErasure,
  actor: AuditActor,
): Promise<{ erased: string[]; facts: OutgoingMessage[] }> {
  const { reasonCommitment, ...record } =
    erasure.cause === 'request' ? erasure : { ...erasure, reasonCommitment: null };
  const erased = await rooms.erase(roomIds, at, record);
  const facts = erased.map((roomId) =>
    auditMessage(HubService.AgencyGateway, {
      eventId: `room-erased:${roomId}`,
      type: AuditEventType.RoomErased,
      actor,
      reason: erasure.cause,
      details: {
        roomId,
        cause: erasure.cause,
        ...(reasonCommitment
          ? { reasonCommitment: { scheme: CONTENT_COMMITMENT_SCHEME, hash: reasonCommitment } }
          : {}),
      },
    }),
  );
  return { erased, facts };
}

/**
 * Erasure of a room on a lawful request, before its retention ends (an admin, as for alerts): the same erasure as at
 * the end of retention, with one room.erased fact that commits to the reason (domain hub.erasure-reason.v1, as an
 * alert's); reason and salt stay in gateway.rooms.erasure. Erasing twice is one erasure (the first erasedAt again).
 */
@Injectable()
export class EraseRoom {
  private readonly logger = new Logger(EraseRoom.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly rooms: RoomsRepository,
    private readonly outbox: OutboxService,
    private readonly audit: AuditPublisher,
  ) {}

  async onRequest(principal: Principal, roomId: string, reason: string): Promise<{ roomId: string; erasedAt: string }> {
    const now = new Date();
    const reasonSalt = newContentSalt();
    const erasure: RoomErasure = {
      cause: 'request',
      requestedBy: { agencyId: principal.agencyId, keyId: principal.keyId },
      reason,
      reasonSalt: reasonSalt.toString('hex'),
      reasonCommitment: saltedCommitment(COMMITMENT_DOMAINS.erasureReason, reasonSalt, { reason }),
    };
    const outcome = await this.dataSource.transaction(async (manager) => {
      const rooms = this.rooms.within(manager);
      const room = await rooms.lock(roomId);
      if (!room) throw HubError.notFound('room');
      if (room.erasedAt) return { ids: [], erasedAt: room.erasedAt };
      const { facts } = await eraseRooms(rooms, [roomId], now, erasure, actorOf(principal));
      // The room's record again, read after the erasure: its name is null now (the node's replica drops it), and an
      // open room is closed by its erasure (the node must refuse it for new alerts, ROOM_CLOSED, from now on).
      facts.unshift(await rooms.referenceMessage(roomId));
      return { ids: await this.outbox.enqueue(manager, facts), erasedAt: now };
    });
    await this.outbox.publish(outcome.ids);
    if (outcome.ids.length > 0) this.logger.log({ roomId, by: principal.keyId }, 'room erased on request');
    return { roomId, erasedAt: outcome.erasedAt.toISOString() };
  }

  /**
   * For an auditor: why the room was erased on request, and the salt, to recompute `details.reasonCommitment` of its
   * room.erased entry (audited as audit.queried, in the room's trail). 404 for a room not erased on request.
   */
  async disclose(principal: Principal, roomId: string) {
    await this.audit.publish([
      {
        type: AuditEventType.AuditQueried,
        actor: actorOf(principal),
        details: { query: 'room-erasure-disclosure', roomId },
      },
    ]);
    const found = await this.rooms.erasure(roomId);
    const erasure = found?.erasure as Partial<Extract<RoomErasure, { cause: 'request' }>> | undefined;
    if (!found || !erasure || typeof erasure.reason !== 'string' || typeof erasure.reasonSalt !== 'string')
      throw HubError.notFound('erasure reason (the room was not erased on a request)');
    const { reason, reasonSalt } = erasure;
    return {
      roomId,
      erasedAt: found.erasedAt.toISOString(),
      requestedBy: erasure.requestedBy ?? null,
      scheme: CONTENT_COMMITMENT_SCHEME,
      commitment: saltedCommitment(COMMITMENT_DOMAINS.erasureReason, Buffer.from(reasonSalt, 'hex'), { reason }),
      salt: reasonSalt,
      disclosed: { reason },
    };
  }
}
