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
import { InboxNotifier } from '../../inbox/inbox.notifier';
import { RoomAccess } from '../room-access';
import { RoomsRepository } from '../rooms.repository';

/**
 * A member posts a message in an open room. The message, one inbox row per current member (kind `room-message`, so
 * it is paged and streamed like any delivery, exactly once: the rows commit with the message or not at all) and its
 * one audit fact (a salted commitment to the text, and the rows it was delivered into) are one transaction.
 */
@Injectable()
export class PostRoomMessage {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly rooms: RoomsRepository,
    private readonly access: RoomAccess,
    private readonly outbox: OutboxService,
    private readonly notifier: InboxNotifier,
  ) {}

  async post(principal: Principal, roomId: string, text: string): Promise<{ messageId: string; cursor: string }> {
    const messageId = randomUUID();
    const salt = newContentSalt();
    const commitment = saltedCommitment(COMMITMENT_DOMAINS.roomMessage, salt, { text });
    const { ids, seq, delivered } = await this.dataSource.transaction(async (manager) => {
      const room = await this.access.asMember(principal, roomId, 'room-message', { within: manager, lock: true });
      this.access.assertOpen(room);
      const members = (await this.rooms.within(manager).members([roomId])).get(roomId) ?? [];
      const posted = await this.rooms.within(manager).postMessage({
        roomId,
        messageId,
        author: principal.agencyId,
        text,
        salt,
        commitment,
        deliveries: members.map((member) => ({ recipient: member.agencyId, deliveryId: randomUUID() })),
      });
      const enqueued = await this.outbox.enqueue(manager, [
        auditMessage(HubService.AgencyGateway, {
          eventId: `room-message:${messageId}`,
          type: AuditEventType.RoomMessagePosted,
          actor: actorOf(principal),
          details: {
            roomId,
            messageId,
            cursor: String(posted.seq),
            messageCommitment: { scheme: CONTENT_COMMITMENT_SCHEME, hash: commitment },
            recipients: posted.delivered,
          },
        }),
      ]);
      return { ids: enqueued, ...posted };
    });
    this.notifier.committed(delivered.map((d) => ({ recipient: d.recipient, lastSeq: d.inboxSeq })));
    await this.outbox.publish(ids);
    return { messageId, cursor: String(seq) };
  }
}
