import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Principal } from '@hub/auth/principal';
import { CurrentPrincipal, Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { AGENCY_ID_PATTERN } from '@hub/contracts/reference';
import { HubError } from '@hub/platform/errors';
import { CursorPageQuery } from '../inbox/inbox.query';
import {
  AddRoomMemberRequest,
  CreateRoomRequest,
  EraseRoomRequest,
  PostRoomMessageRequest,
  RoomMessagesQuery,
} from './dto/rooms.dto';
import { EraseRoom } from './room-erasure';
import { RoomIdPipe } from './room-id.pipe';
import { CloseRoom } from './use-cases/close-room';
import { CreateRoom } from './use-cases/create-room';
import { PostRoomMessage } from './use-cases/post-message';
import { RoomMembership } from './use-cases/room-membership';
import { RoomReads } from './use-cases/room-reads';

/**
 * Erasure of a room on a lawful request, before its retention ends: an admin's, as for an alert (decision 019);
 * the members cannot, since the room's record belongs to all of them. 202 `{roomId, erasedAt}`, again on a repeat.
 */
@ApiTags('admin')
@ApiBearerAuth()
@Roles(Role.Admin)
@Controller('v1/admin/rooms')
export class RoomErasureController {
  constructor(private readonly erasure: EraseRoom) {}

  @Post(':roomId/erase')
  @HttpCode(202)
  erase(
    @CurrentPrincipal() principal: Principal,
    @Param('roomId', RoomIdPipe) roomId: string,
    @Body() body: EraseRoomRequest,
  ) {
    return this.erasure.onRequest(principal, roomId, body.reason);
  }
}

/** For an auditor: the reason of a room's erasure on request and its salt, to open the room.erased commitment. */
@ApiTags('audit')
@ApiBearerAuth()
@Roles(Role.Auditor)
@Controller('v1/audit/rooms')
export class RoomErasureDisclosureController {
  constructor(private readonly erasure: EraseRoom) {}

  @Get(':roomId/erasure/commitment')
  commitment(@CurrentPrincipal() principal: Principal, @Param('roomId', RoomIdPipe) roomId: string) {
    return this.erasure.disclose(principal, roomId);
  }
}

/** Operation rooms (docs/decisions/019-rooms-and-partner-agencies.md). Anyone but a member gets 404. */
@ApiTags('rooms')
@ApiBearerAuth()
@Roles(Role.Agency)
@Controller('v1/rooms')
export class RoomsController {
  constructor(
    private readonly creation: CreateRoom,
    private readonly membership: RoomMembership,
    private readonly messages: PostRoomMessage,
    private readonly closing: CloseRoom,
    private readonly reads: RoomReads,
  ) {}

  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateRoomRequest) {
    return this.creation.create(principal, body);
  }

  @Get()
  list(@CurrentPrincipal() principal: Principal) {
    return this.reads.list(principal);
  }

  @Get(':roomId')
  get(@CurrentPrincipal() principal: Principal, @Param('roomId', RoomIdPipe) roomId: string) {
    return this.reads.get(principal, roomId);
  }

  @Post(':roomId/members')
  addMember(
    @CurrentPrincipal() principal: Principal,
    @Param('roomId', RoomIdPipe) roomId: string,
    @Body() body: AddRoomMemberRequest,
  ) {
    return this.membership.add(principal, roomId, body.agencyId);
  }

  @Delete(':roomId/members/:agencyId')
  @HttpCode(204)
  async removeMember(
    @CurrentPrincipal() principal: Principal,
    @Param('roomId', RoomIdPipe) roomId: string,
    @Param('agencyId') agencyId: string,
  ): Promise<void> {
    if (!AGENCY_ID_PATTERN.test(agencyId)) throw HubError.notFound('member');
    await this.membership.remove(principal, roomId, agencyId);
  }

  @Post(':roomId/messages')
  post(
    @CurrentPrincipal() principal: Principal,
    @Param('roomId', RoomIdPipe) roomId: string,
    @Body() body: PostRoomMessageRequest,
  ) {
    return this.messages.post(principal, roomId, body.text);
  }

  @Get(':roomId/messages')
  listMessages(
    @CurrentPrincipal() principal: Principal,
    @Param('roomId', RoomIdPipe) roomId: string,
    @Query() query: RoomMessagesQuery,
  ) {
    return this.reads.messages(principal, roomId, Number(query.after ?? 0), query.limit ?? 100);
  }

  /** The alerts addressed to the room that the caller sent or received; 410 once the room's content was erased. */
  @Get(':roomId/alerts')
  listAlerts(
    @CurrentPrincipal() principal: Principal,
    @Param('roomId', RoomIdPipe) roomId: string,
    @Query() query: CursorPageQuery,
  ) {
    return this.reads.alerts(principal, roomId, Number(query.after ?? 0), query.limit ?? 100);
  }

  @Post(':roomId/close')
  @HttpCode(200)
  close(@CurrentPrincipal() principal: Principal, @Param('roomId', RoomIdPipe) roomId: string) {
    return this.closing.close(principal, roomId);
  }
}
