import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { HubError } from '@hub/platform/errors';
import { FeedEntry } from './feed-entry';
import { FeedNotifier } from './feed.notifier';
import { FEED_CURSOR_PATTERN, FeedPageQuery, FeedStreamQuery } from './feed.query';
import { FeedService } from './feed.service';

const STREAM_BATCH = 200;
const KEEPALIVE_MS = 15000;

@Roles(Role.Analyst)
@Controller('v1/feed')
export class FeedController {
  constructor(
    private readonly feed: FeedService,
    private readonly notifier: FeedNotifier,
  ) {}

  /** Paged, oldest first. `headCursor` is the newest entry's cursor: `after = headCursor - N` gives the last N. */
  @Get()
  async page(@Query() query: FeedPageQuery): Promise<{ items: FeedEntry[]; nextCursor: string; headCursor: string }> {
    const after = Number(query.after ?? 0);
    const [items, headCursor] = await Promise.all([this.feed.page(after, query.limit ?? 100), this.feed.headCursor()]);
    return { items, nextCursor: items.length > 0 ? items[items.length - 1].cursor : String(after), headCursor };
  }

  /**
   * Server-Sent Events, one per feed entry, `id` = cursor. A client that reconnects with Last-Event-ID gets
   * everything after it: the stream reads by cursor and uses notifications only as a wake-up.
   */
  @Get('stream')
  async stream(
    @Query() query: FeedStreamQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const resumeFrom = lastEventId ?? query.after ?? '0';
    if (!FEED_CURSOR_PATTERN.test(resumeFrom)) throw HubError.validation([{ path: 'Last-Event-ID', message: 'must be a cursor sent by this stream' }]);
    let cursor = Number(resumeFrom);
    response.status(200);
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    response.setHeader('Cache-Control', 'no-cache, no-transform');
    response.setHeader('Connection', 'keep-alive');
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    response.write('retry: 2000\n\n');

    let closed = false;
    let wake: (() => void) | null = null;
    let pending = true;
    const notify = () => {
      pending = true;
      wake?.();
    };
    const close = () => {
      closed = true;
      notify();
    };
    const unsubscribe = this.notifier.subscribe(notify, close);
    request.on('close', close);
    const keepAlive = setInterval(() => {
      if (!closed) response.write(': keep-alive\n\n');
    }, KEEPALIVE_MS);

    try {
      while (!closed) {
        if (!pending) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        pending = false;
        for (;;) {
          if (closed) break;
          const items = await this.feed.page(cursor, STREAM_BATCH);
          for (const item of items) {
            if (closed) break;
            await writeEvent(response, item);
            cursor = Number(item.cursor);
          }
          if (items.length < STREAM_BATCH) break;
        }
      }
    } catch (error) {
      if (!closed) response.write(`event: error\ndata: ${JSON.stringify({ error: 'unavailable', message: (error as Error).message })}\n\n`);
    } finally {
      clearInterval(keepAlive);
      unsubscribe();
      response.end();
    }
  }
}

/** Respects backpressure: a slow client makes us wait, never buffer without bound. */
function writeEvent(response: Response, item: FeedEntry): Promise<void> {
  const ok = response.write(`id: ${item.cursor}\nevent: feed\ndata: ${JSON.stringify(item)}\n\n`);
  if (ok) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}
