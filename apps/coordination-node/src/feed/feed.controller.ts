import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiKeyAuthenticator } from '@hub/auth/api-key.authenticator';
import { Principal } from '@hub/auth/principal';
import { CurrentPrincipal, Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { resumeCursor, streamByCursor } from '@hub/platform/cursor-stream';
import { StreamSlots } from '@hub/platform/stream-slots';
import { CoordinationConfig } from '../coordination.config';
import { FeedEntry } from './feed-entry';
import { FeedNotifier } from './feed.notifier';
import { FeedPageQuery, FeedStreamQuery } from './feed.query';
import { FeedService } from './feed.service';

const STREAM_BATCH = 200;

@Roles(Role.Analyst)
@Controller('v1/feed')
export class FeedController {
  private readonly streamSlots: StreamSlots;

  constructor(
    private readonly feed: FeedService,
    private readonly notifier: FeedNotifier,
    private readonly keys: ApiKeyAuthenticator,
    config: CoordinationConfig,
  ) {
    this.streamSlots = new StreamSlots(config.FEED_STREAMS_PER_KEY, 'feed streams');
  }

  /** Paged, oldest first. `headCursor` is the newest entry's cursor: `after = headCursor - N` gives the last N. */
  @Get()
  async page(@Query() query: FeedPageQuery): Promise<{ items: FeedEntry[]; nextCursor: string; headCursor: string }> {
    const after = Number(query.after ?? 0);
    const [items, headCursor] = await Promise.all([this.feed.page(after, query.limit ?? 100), this.feed.headCursor()]);
    return { items, nextCursor: items.length > 0 ? items[items.length - 1].cursor : String(after), headCursor };
  }

  /**
   * Server-Sent Events, one per feed entry, `id` = cursor. A client that reconnects with Last-Event-ID gets
   * everything after it: the stream reads by cursor and uses notifications only as a wake-up. It ends within
   * seconds of the key's revocation or the agency's deactivation. At most FEED_STREAMS_PER_KEY open streams per key
   * (429 beyond), like the inbox's.
   */
  @Get('stream')
  async stream(
    @CurrentPrincipal() principal: Principal,
    @Query() query: FeedStreamQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const startAfter = resumeCursor(lastEventId, query.after);
    const release = this.streamSlots.acquire(principal.keyId);
    try {
      await streamByCursor(
        request,
        response,
        {
          page: (after, limit) => this.feed.page(after, limit),
          subscribe: (onWake, onShutdown) => this.notifier.subscribe(onWake, onShutdown),
          authorised: () => this.keys.stillValid(principal),
        },
        { eventName: 'feed', startAfter, batch: STREAM_BATCH },
      );
    } finally {
      release();
    }
  }
}
