import type { Request, Response } from 'express';
import { openStreams } from '@hub/observability/http-metrics';
import { InboxItem } from '../alerts/alert-views';
import { writeEvent } from '@hub/platform/cursor-stream';
import { StreamEnd, StreamSink } from './inbox-streams';

const KEEPALIVE_MS = 15000;
const EVENT_NAME = 'delivery';

/**
 * One inbox stream's HTTP side: the Server-Sent Events response (headers, keep-alives, one `delivery` event per item
 * with `id` = cursor, the closing error event), as libs/platform's streamByCursor writes it for the feed. What goes
 * into it is decided by InboxStreams (`open`, which returns the function to call when the client leaves).
 * Resolves when the stream is over.
 */
export function serveEvents(
  request: Request,
  response: Response,
  open: (sink: StreamSink) => () => void,
): Promise<void> {
  response.status(200);
  response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  response.setHeader('Cache-Control', 'no-cache, no-transform');
  response.setHeader('Connection', 'keep-alive');
  response.setHeader('X-Accel-Buffering', 'no');
  response.flushHeaders();
  response.write('retry: 2000\n\n');

  openStreams.inc({ stream: 'inbox' });
  return new Promise<void>((resolve) => {
    let over = false;
    const keepAlive = setInterval(() => {
      if (!over) response.write(': keep-alive\n\n');
    }, KEEPALIVE_MS);
    const finish = () => {
      if (over) return;
      over = true;
      openStreams.dec({ stream: 'inbox' });
      clearInterval(keepAlive);
      response.end();
      resolve();
    };
    const sink: StreamSink = {
      write: async (items: InboxItem[]) => {
        for (const item of items) {
          if (over) return;
          await writeEvent(response, EVENT_NAME, item);
        }
      },
      end: (reason: StreamEnd) => {
        if (!over && reason !== 'shutdown')
          response.write(`event: error\ndata: ${JSON.stringify(ERROR_EVENTS[reason])}\n\n`);
        finish();
      },
    };
    const close = open(sink);
    request.on('close', () => {
      close();
      finish();
    });
  });
}

const ERROR_EVENTS: Record<Exclude<StreamEnd, 'shutdown'>, { error: string; message: string }> = {
  revoked: { error: 'unauthorized', message: 'The API key was revoked or has expired' },
  // Internal messages (SQL, parameters, content) never leave the service: the client reconnects with Last-Event-ID.
  unavailable: { error: 'unavailable', message: 'The stream was interrupted; reconnect with Last-Event-ID' },
};
