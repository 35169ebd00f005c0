import { Controller, Get } from '@nestjs/common';
import { Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { RoomOverview, RoomsOverview } from './rooms-overview.service';

@Roles(Role.Analyst)
@Controller('v1/rooms')
export class RoomsController {
  constructor(private readonly rooms: RoomsOverview) {}

  /**
   * The operation rooms for the analysts' dashboard, as metadata: name (null once erased), members, state, closesAt
   * and activity. Never a room's purpose or messages: the node does not receive them (decision 019).
   */
  @Get()
  async list(): Promise<{ items: RoomOverview[] }> {
    return { items: await this.rooms.list() };
  }
}
