import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { openStreams } from '@hub/observability/http-metrics';
import { HubError } from './errors';

const CURSOR = /^\d{1,18}$/;
const KEEPALIVE_MS = 15000;
/** How often an open stream re-checks that its key still works (revocation, expiry, deactivation). */
const AUTH_RECHECK_MS = 2000;

export interface CursorItem {
  cursor: string;
}

export interface CursorStreamSource<T extends CursorItem> {
  /** Items strictly after `after`, in cursor order. */
  page(after: number, limit: number): Promise<T[]>;
  /** Registers wake-ups (new items may exist) and shutdown; returns the unsubscribe function. */
  subscribe(onWake: () => void, onShutdown: () => void): () => void;
  /** Runs before a batch is written, e.g. to audit durably who saw what; if it throws, the stream ends. */
  beforeSend?(items: T[]): Promise<void>;
  /**
   * Whether the caller's key still works; asked before every batch and every AUTH_RECHECK_MS while idle. A key
   * checked once at connect would keep receiving after its revocation: false ends the stream with an
   * `unauthorized` error event.
   */
  authorised?(): Promise<boolean>;
}

/** Where a stream resumes: Last-Event-ID wins over ?after; anything else than a cursor is a 400 naming it. */
export function resumeCursor(lastEventId: string | undefined, after: string | undefined): number {
  const value = lastEventId ?? after ?? '0';
  if (!CURSOR.test(value)) {
    throw HubError.validation([
      { path: lastEventId !== undefined ? 'Last-Event-ID' : 'after', message: 'must be a cursor sent by this stream' },
    ]);
  }
  return Number(value);
}

/**
 * Server-Sent Events read by cursor: one event per item, `id` = cursor, so a client reconnecting with
 * Last-Event-ID gets exactly what it missed. Notifications only wake the loop; the table is the truth.
 * Writes respect backpressure: a slow client makes us wait, never buffer without bound.
 */
export async function streamByCursor<T extends CursorItem>(
  request: Request,
  response: Response,
  source: CursorStreamSource<T>,
  options: { eventName: string; startAfter: number; batch?: number },
): Promise<void> {
  const batch = options.batch ?? 100;
  let cursor = options.startAfter;
  response.status(200);
  response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  response.setHeader('Cache-Control', 'no-cache, no-transform');
  response.setHeader('Connection', 'keep-alive');
  response.setHeader('X-Accel-Buffering', 'no');
  response.flushHeaders();
  response.write('retry: 2000\n\n');

  openStreams.inc({ stream: options.eventName });
  let closed = false;
  let revoked = false;
  let pending = true;
  let wake: (() => void) | null = null;
  const onWake = () => {
    pending = true;
    wake?.();
  };
  const close = () => {
    closed = true;
    onWake();
  };
  const unsubscribe = source.subscribe(onWake, close);
  request.on('close', close);
  const keepAlive = setInterval(() => {
    if (!closed) response.write(': keep-alive\n\n');
  }, KEEPALIVE_MS);
  const stillAuthorised = async (): Promise<boolean> => {
    if (!source.authorised || (await source.authorised())) return true;
    revoked = true;
    close();
    return false;
  };
  const authCheck = setInterval(() => {
    // A failed check (the database away) keeps the stream: the next batch cannot be read either, and is retried.
    if (!closed) stillAuthorised().catch(() => undefined);
  }, AUTH_RECHECK_MS);

  try {
    while (!closed) {
      if (!pending) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      pending = false;
      for (;;) {
        if (closed || !(await stillAuthorised())) break;
        const items = await source.page(cursor, batch);
        if (items.length === 0) break;
        await source.beforeSend?.(items);
        for (const item of items) {
          if (closed) break;
          await writeEvent(response, options.eventName, item);
          cursor = Number(item.cursor);
        }
        if (items.length < batch) break;
      }
    }
    if (revoked)
      response.write(
        `event: error\ndata: ${JSON.stringify({ error: 'unauthorized', message: 'The API key was revoked or has expired' })}\n\n`,
      );
  } catch (error) {
    new Logger('EventStream').warn(
      { err: (error as Error).message, event: options.eventName },
      'stream ended by an error',
    );
    // Internal messages (SQL, parameters, content) never leave the service: the client reconnects with Last-Event-ID.
    if (!closed)
      response.write(
        `event: error\ndata: ${JSON.stringify({ error: 'unavailable', message: 'The stream was interrupted; reconnect with Last-Event-ID' })}\n\n`,
      );
  } finally {
    clearInterval(keepAlive);
    clearInterval(authCheck);
    unsubscribe();
    openStreams.dec({ stream: options.eventName });
    response.end();
  }
}

/** Writes one SSE event (`id` = the item's cursor); resolves when the response can take more, or closed. */
export function writeEvent(response: Response, eventName: string, item: CursorItem): Promise<void> {
  const ok = response.write(`id: ${item.cursor}\nevent: ${eventName}\ndata: ${JSON.stringify(item)}\n\n`);
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
