import { Module } from '@nestjs/common';
import { InboxModule } from '../inbox/inbox.module';
import { ReferenceSnapshot } from '../reference/reference.snapshot';
import { RoomAccess } from './room-access';
import { RoomAlertsRepository } from './room-alerts.repository';
import { EraseRoom } from './room-erasure';
import { RoomErasureController, RoomErasureDisclosureController, RoomsController } from './rooms.controller';
import { RoomsRepository } from './rooms.repository';
import { RoomsSweep } from './rooms.sweep';
import { CloseRoom } from './use-cases/close-room';
import { CreateRoom } from './use-cases/create-room';
import { PostRoomMessage } from './use-cases/post-message';
import { RoomMembership } from './use-cases/room-membership';
import { RoomReads } from './use-cases/room-reads';

/** Operation rooms live in the gateway, beside the inboxes their messages are delivered into. */
@Module({
  imports: [InboxModule],
  controllers: [RoomsController, RoomErasureController, RoomErasureDisclosureController],
  providers: [
    RoomsRepository,
    RoomAccess,
    CreateRoom,
    RoomMembership,
    PostRoomMessage,
    CloseRoom,
    RoomReads,
    RoomsSweep,
    RoomAlertsRepository,
    EraseRoom,
    ReferenceSnapshot,
  ],
  exports: [RoomsRepository],
})
export class RoomsModule {}
