import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Principal } from '@hub/auth/principal';
import { CurrentPrincipal, Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { resumeCursor, streamByCursor } from '@hub/platform/cursor-stream';
import { InboxNotifier } from './inbox.notifier';
import { InboxQuery, InboxStreamQuery } from './inbox.query';
import { InboxService } from './inbox.service';

@ApiTags('inbox')
@ApiBearerAuth()
@Roles(Role.Agency)
@Controller('v1/inbox')
export class InboxController {
  constructor(
    private readonly inbox: InboxService,
    private readonly notifier: InboxNotifier,
  ) {}

  @Get()
  async page(@CurrentPrincipal() principal: Principal, @Query() query: InboxQuery) {
    const after = Number(query.after ?? 0);
    const items = await this.inbox.page(principal.agencyId, after, query.limit ?? 100);
    await this.inbox.recordSeen(principal, items, 'read');
    return { items, nextCursor: items.length > 0 ? items[items.length - 1].cursor : String(after) };
  }

  /**
   * Server-Sent Events, one per delivery, `id` = inbox cursor. A client that reconnects with Last-Event-ID
   * gets everything after it; each batch is audited (who saw which version) before it is written.
   */
  @Get('stream')
  @ApiProduces('text/event-stream')
  async stream(
    @CurrentPrincipal() principal: Principal,
    @Query() query: InboxStreamQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const startAfter = resumeCursor(lastEventId, query.after);
    await streamByCursor(
      request,
      response,
      {
        page: (after, limit) => this.inbox.page(principal.agencyId, after, limit),
        subscribe: (onWake, onShutdown) => this.notifier.subscribe(principal.agencyId, onWake, onShutdown),
        beforeSend: (items) => this.inbox.recordSeen(principal, items, 'streamed'),
      },
      { eventName: 'delivery', startAfter },
    );
  }
}
