import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Principal } from '@hub/auth/principal';
import { CurrentPrincipal, Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { HubError } from '@hub/platform/errors';
import { InboxItem } from '../alerts/alert-views';
import { InboxNotifier } from './inbox.notifier';
import { InboxQuery, InboxStreamQuery } from './inbox.query';
import { InboxService } from './inbox.service';

const STREAM_BATCH = 100;
const KEEPALIVE_MS = 15000;

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
   * gets everything after it: the stream reads by cursor and uses notifications only as a wake-up.
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
    const resumeFrom = lastEventId ?? query.after ?? '0';
    if (!/^\d{1,18}$/.test(resumeFrom)) throw HubError.validation([{ path: 'Last-Event-ID', message: 'must be a cursor sent by this stream' }]);
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
    const unsubscribe = this.notifier.subscribe(principal.agencyId, notify);
    request.on('close', () => {
      closed = true;
      notify();
    });
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
          const items = await this.inbox.page(principal.agencyId, cursor, STREAM_BATCH);
          if (items.length === 0) break;
          await this.inbox.recordSeen(principal, items, 'streamed');
          for (const item of items) {
            if (closed) break;
            await writeEvent(response, item);
            cursor = Number(item.cursor);
          }
          if (items.length < STREAM_BATCH) break;
        }
      }
    } catch (error) {
      // Audit could not be made durable (or the database failed): end the stream rather than show unaudited data.
      if (!closed) response.write(`event: error\ndata: ${JSON.stringify({ error: 'unavailable', message: (error as Error).message })}\n\n`);
    } finally {
      clearInterval(keepAlive);
      unsubscribe();
      response.end();
    }
  }
}

/** Respects backpressure: a slow client makes us wait, never buffer without bound. */
function writeEvent(response: Response, item: InboxItem): Promise<void> {
  const ok = response.write(`id: ${item.cursor}\nevent: delivery\ndata: ${JSON.stringify(item)}\n\n`);
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
