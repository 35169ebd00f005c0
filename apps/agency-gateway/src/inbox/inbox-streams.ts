import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ApiKeyAuthenticator } from '@hub/auth/api-key.authenticator';
import { Principal } from '@hub/auth/principal';
import { PeriodicJob } from '@hub/platform/periodic-job';
import { InboxItem } from '../alerts/alert-views';
import { InboxNotifier, InboxTail } from './inbox.notifier';
import { InboxService, streamKey } from './inbox.service';

/** Most items one stream is handed per wake; a stream that got this many is read again at once. */
export const STREAM_BATCH = 100;
/** How often every open stream's key is checked while it waits (revocation, expiry, deactivation: within seconds). */
const AUTH_RECHECK_MS = 2000;

/** Why a stream ends from the server's side. */
export type StreamEnd = 'revoked' | 'unavailable' | 'shutdown';

/** Where one open stream's items go: the controller writes them as Server-Sent Events. */
export interface StreamSink {
  /** Writes the items in order; resolves when they are written (backpressure) or the client went away. */
  write(items: InboxItem[]): Promise<void>;
  end(reason: StreamEnd): void;
}

interface OpenStream {
  principal: Principal;
  recipient: string;
  /** the last cursor handed to the sink */
  cursor: number;
  /** every row up to this seq is handed out, or will be seen by a read that is due (a later wake up to it adds nothing) */
  covered: number;
  /** the sink is still writing the last batch */
  writing: boolean;
  closed: boolean;
  sink: StreamSink;
}

/**
 * This replica's open inbox streams, served together. A wake (a commit here, a NOTIFY from another replica, a new
 * stream) marks the streams it concerns; each round then reads the new items of every marked stream in one
 * statement (InboxService.newItems), records one `inbox.streamed` fact per stream batch in one send, and hands each
 * stream its items. A stream is read again only when it got a full batch (more may be there) or a later commit
 * names a seq beyond what it covers: no empty re-read after the last item.
 *
 * Why this keeps the stream's guarantees: cursors are per-recipient seqs committed in order (decision 002), so
 * reading `seq > cursor` never skips a row that commits later; a wake only says where to look, the table is the
 * truth; the fact of a batch is acknowledged by Kafka before any of its items is written; each stream's items are
 * written by one writer at a time, in cursor order.
 */
@Injectable()
export class InboxStreams implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(InboxStreams.name);
  private readonly byRecipient = new Map<string, Set<OpenStream>>();
  private readonly due = new Set<OpenStream>();
  private pumping = false;
  private unsubscribe: (() => void) | null = null;
  /** Every open stream's key checked again, one round at a time. */
  private readonly keyCheck = new PeriodicJob(InboxStreams.name, 'key recheck', () => this.recheckAll());

  constructor(
    private readonly inbox: InboxService,
    private readonly notifier: InboxNotifier,
    private readonly keys: ApiKeyAuthenticator,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.notifier.subscribe(
      (tails) => this.wake(tails),
      () => this.endAll('shutdown'),
    );
    this.keyCheck.start(AUTH_RECHECK_MS);
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    void this.keyCheck.stop();
    this.endAll('shutdown');
  }

  /** A stream of `principal`'s inbox after `startAfter`; returns the function that closes it (the client left). */
  open(principal: Principal, startAfter: number, sink: StreamSink): () => void {
    const stream: OpenStream = {
      principal,
      recipient: principal.agencyId,
      cursor: startAfter,
      covered: startAfter,
      writing: false,
      closed: false,
      sink,
    };
    let streams = this.byRecipient.get(stream.recipient);
    if (!streams) this.byRecipient.set(stream.recipient, (streams = new Set()));
    streams.add(stream);
    this.due.add(stream);
    this.pump();
    return () => this.close(stream);
  }

  /** Open streams on this replica (for tests and metrics). */
  get size(): number {
    let count = 0;
    for (const streams of this.byRecipient.values()) count += streams.size;
    return count;
  }

  private wake(tails: readonly InboxTail[] | null): void {
    if (tails === null) {
      for (const streams of this.byRecipient.values()) for (const stream of streams) this.due.add(stream);
    } else {
      for (const { recipient, lastSeq } of tails) {
        const streams = this.byRecipient.get(recipient);
        if (!streams) continue;
        for (const stream of streams) {
          if (lastSeq <= stream.covered) continue;
          // The read this schedules starts after that commit, so it sees every row up to lastSeq.
          stream.covered = lastSeq;
          this.due.add(stream);
        }
      }
    }
    this.pump();
  }

  /**
   * Single-flight: wakes arriving during a round are served by the next one. The first round starts after the
   * current I/O callbacks, so the NOTIFYs of one commit (one per recipient, read from one packet) share a read.
   */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void (async () => {
      await new Promise((resolve) => setImmediate(resolve));
      try {
        for (;;) {
          const round = [...this.due].filter((stream) => !stream.writing);
          if (round.length === 0) return;
          for (const stream of round) this.due.delete(stream);
          await this.serve(round);
        }
      } finally {
        this.pumping = false;
      }
    })();
  }

  private async serve(round: OpenStream[]): Promise<void> {
    let readable: OpenStream[];
    try {
      const valid = await Promise.all(round.map((stream) => this.keys.stillValid(stream.principal)));
      readable = round.filter((stream, i) => {
        if (!valid[i]) this.end(stream, 'revoked');
        return valid[i] && !stream.closed;
      });
      if (readable.length === 0) return;
      const pairs = new Map(
        readable.map((stream) => [
          streamKey(stream.recipient, stream.cursor),
          { recipient: stream.recipient, after: stream.cursor },
        ]),
      );
      const found = await this.inbox.newItems([...pairs.values()], STREAM_BATCH);
      const batches = readable.flatMap((stream) => {
        const items = found.get(streamKey(stream.recipient, stream.cursor)) ?? [];
        return items.length > 0 ? [{ stream, items }] : [];
      });
      if (batches.length === 0) return;
      await this.inbox.recordStreamed(batches.map(({ stream, items }) => ({ principal: stream.principal, items })));
      for (const { stream, items } of batches) this.hand(stream, items);
    } catch (error) {
      // As before: the stream ends with an `unavailable` event and the client resumes with Last-Event-ID.
      this.logger.warn(
        { err: (error as Error).message, streams: round.length },
        'inbox streams: a round failed; ending its streams',
      );
      for (const stream of round) this.end(stream, 'unavailable');
    }
  }

  private hand(stream: OpenStream, items: InboxItem[]): void {
    if (stream.closed) return;
    stream.cursor = Number(items[items.length - 1].cursor);
    stream.covered = Math.max(stream.covered, stream.cursor);
    if (items.length >= STREAM_BATCH) this.due.add(stream);
    stream.writing = true;
    void stream.sink
      .write(items)
      .catch(() => this.close(stream))
      .finally(() => {
        stream.writing = false;
        if (this.due.has(stream)) this.pump();
      });
  }

  private async recheckAll(): Promise<void> {
    for (const streams of [...this.byRecipient.values()]) {
      for (const stream of [...streams]) {
        // A failed check (the database away) keeps the stream: its next round fails and ends it if it lasts.
        const valid = await this.keys.stillValid(stream.principal).catch(() => true);
        if (!valid) this.end(stream, 'revoked');
      }
    }
  }

  private end(stream: OpenStream, reason: StreamEnd): void {
    if (stream.closed) return;
    this.close(stream);
    stream.sink.end(reason);
  }

  private endAll(reason: StreamEnd): void {
    for (const streams of [...this.byRecipient.values()]) for (const stream of [...streams]) this.end(stream, reason);
  }

  private close(stream: OpenStream): void {
    if (stream.closed) return;
    stream.closed = true;
    this.due.delete(stream);
    const streams = this.byRecipient.get(stream.recipient);
    streams?.delete(stream);
    if (streams && streams.size === 0) this.byRecipient.delete(stream.recipient);
  }
}
