import { Controller, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Principal } from '@hub/auth/principal';
import { CurrentPrincipal, Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { resumeCursor } from '@hub/platform/cursor-stream';
import { serveEvents } from './event-stream';
import { InboxStreams } from './inbox-streams';
import { InboxQuery, InboxStreamQuery } from './inbox.query';
import { InboxService } from './inbox.service';
import { StreamSlots } from '@hub/platform/stream-slots';
import { GatewayConfig } from '../gateway.config';
import { InterchangeService } from '../interchange/interchange.service';
import { CAP_MEDIA_TYPE, negotiate, STIX_MEDIA_TYPE } from '../interchange/media-types';
import { HubError } from '@hub/platform/errors';

@ApiTags('inbox')
@ApiBearerAuth()
@Roles(Role.Agency)
@Controller('v1/inbox')
export class InboxController {
  private readonly streamSlots: StreamSlots;

  constructor(
    private readonly inbox: InboxService,
    private readonly streams: InboxStreams,
    private readonly interchange: InterchangeService,
    config: GatewayConfig,
  ) {
    this.streamSlots = new StreamSlots(config.INBOX_STREAMS_PER_KEY, 'inbox streams');
  }

  @Get()
  async page(@CurrentPrincipal() principal: Principal, @Query() query: InboxQuery) {
    const after = Number(query.after ?? 0);
    const items = await this.inbox.page(principal.agencyId, after, query.limit ?? 100);
    await this.inbox.recordSeen(principal, items, 'read');
    return { items, nextCursor: items.length > 0 ? items[items.length - 1].cursor : String(after) };
  }

  /**
   * Server-Sent Events, one per delivery, `id` = inbox cursor. A client that reconnects with Last-Event-ID
   * gets everything after it; each batch is audited (one fact naming the versions it holds) before it is written.
   * At most INBOX_STREAMS_PER_KEY open streams per key (429 beyond). The streams of this replica are served
   * together (InboxStreams): one read and one audit send per wake for all of them.
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
    const release = this.streamSlots.acquire(principal.keyId);
    try {
      await serveEvents(request, response, (sink) => this.streams.open(principal, startAfter, sink));
    } finally {
      release();
    }
  }

  /**
   * One inbox item, as JSON, a CAP 1.2 <alert> or a STIX 2.1 bundle (Accept). Audited like a page of one item; a
   * delivery that is not the caller's is not found (and the attempt is audited).
   */
  @Get(':deliveryId')
  @ApiProduces('application/json', CAP_MEDIA_TYPE, STIX_MEDIA_TYPE)
  @ApiHeader({
    name: 'Accept',
    required: false,
    description: `application/json (default), ${CAP_MEDIA_TYPE} or ${STIX_MEDIA_TYPE}`,
  })
  async item(
    @CurrentPrincipal() principal: Principal,
    @Param('deliveryId') deliveryId: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const representation = negotiate(accept);
    const item = UUID.test(deliveryId) ? await this.inbox.item(principal.agencyId, deliveryId.toLowerCase()) : null;
    if (!item) {
      await this.inbox.recordDenied(principal, deliveryId.slice(0, 64));
      throw HubError.notFound('inbox item');
    }
    await this.inbox.recordSeen(principal, [item], 'read');
    return this.interchange.renderInboxItem(item, representation, response);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
