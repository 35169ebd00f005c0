import { ApiKeyAuthenticator } from '@hub/auth/api-key.authenticator';
import { Principal } from '@hub/auth/principal';
import { Role } from '@hub/contracts/audit-event';
import { InboxItem } from '../alerts/alert-views';
import { InboxStreams, STREAM_BATCH, StreamEnd, StreamSink } from './inbox-streams';
import { InboxNotifier, InboxTail, InboxWake, parseTail } from './inbox.notifier';
import { InboxService, streamKey } from './inbox.service';

/**
 * The scheduling of the inbox streams, with an in-memory inbox in place of the table (the reads and facts
 * themselves are covered by test/sse.e2e-spec.ts on real PostgreSQL and Kafka).
 */
class FakeInbox {
  readonly rows = new Map<string, InboxItem[]>();
  reads: { recipient: string; after: number }[][] = [];
  facts: { agencyId: string; cursors: string[] }[][] = [];

  add(recipient: string, count: number): InboxTail {
    const items = this.rows.get(recipient) ?? [];
    for (let i = 0; i < count; i++)
      items.push({ cursor: String(items.length + 1), deliveryId: `${recipient}-${items.length + 1}` } as InboxItem);
    this.rows.set(recipient, items);
    return { recipient, lastSeq: items.length };
  }

  async newItems(
    streams: readonly { recipient: string; after: number }[],
    limit: number,
  ): Promise<Map<string, InboxItem[]>> {
    this.reads.push([...streams]);
    const found = new Map<string, InboxItem[]>();
    for (const { recipient, after } of streams) {
      const items = (this.rows.get(recipient) ?? []).filter((item) => Number(item.cursor) > after).slice(0, limit);
      if (items.length > 0) found.set(streamKey(recipient, after), items);
    }
    return found;
  }

  async recordStreamed(batches: readonly { principal: Principal; items: InboxItem[] }[]): Promise<void> {
    this.facts.push(
      batches.map(({ principal, items }) => ({
        agencyId: principal.agencyId,
        cursors: items.map((item) => item.cursor),
      })),
    );
  }
}

class FakeNotifier {
  wake: InboxWake = () => undefined;
  subscribe(onWake: InboxWake): () => void {
    this.wake = onWake;
    return () => undefined;
  }
}

class RecordingSink implements StreamSink {
  readonly cursors: string[] = [];
  ended: StreamEnd | null = null;
  async write(items: InboxItem[]): Promise<void> {
    this.cursors.push(...items.map((item) => item.cursor));
  }
  end(reason: StreamEnd): void {
    this.ended = reason;
  }
}

const principal = (agencyId: string): Principal => ({ keyId: `key-${agencyId}`, agencyId, role: Role.Agency });
const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('InboxStreams', () => {
  let inbox: FakeInbox;
  let notifier: FakeNotifier;
  let revoked: Set<string>;
  let streams: InboxStreams;

  beforeEach(() => {
    inbox = new FakeInbox();
    notifier = new FakeNotifier();
    revoked = new Set();
    const keys = { stillValid: async (p: Principal) => !revoked.has(p.keyId) } as unknown as ApiKeyAuthenticator;
    streams = new InboxStreams(inbox as unknown as InboxService, notifier as unknown as InboxNotifier, keys);
    streams.onModuleInit();
  });

  afterEach(() => streams.onModuleDestroy());

  async function opened(agencyId: string, after = 0): Promise<RecordingSink> {
    const sink = new RecordingSink();
    streams.open(principal(agencyId), after, sink);
    await settle();
    return sink;
  }

  it('reads the new items of every woken stream in one read and records their facts in one send', async () => {
    const [a, b] = [await opened('AZ-A'), await opened('KG-B')];
    inbox.reads = [];
    inbox.facts = [];
    notifier.wake([inbox.add('AZ-A', 2), inbox.add('KG-B', 1)]);
    await settle();
    expect(inbox.reads).toEqual([
      [
        { recipient: 'AZ-A', after: 0 },
        { recipient: 'KG-B', after: 0 },
      ],
    ]);
    expect(inbox.facts).toEqual([
      [
        { agencyId: 'AZ-A', cursors: ['1', '2'] },
        { agencyId: 'KG-B', cursors: ['1'] },
      ],
    ]);
    expect(a.cursors).toEqual(['1', '2']);
    expect(b.cursors).toEqual(['1']);
  });

  it('serves the NOTIFYs of one commit (one per recipient, heard one by one) with one read', async () => {
    await opened('AZ-A');
    await opened('KG-B');
    inbox.reads = [];
    notifier.wake([inbox.add('AZ-A', 1)]);
    notifier.wake([inbox.add('KG-B', 1)]);
    await settle();
    expect(inbox.reads).toHaveLength(1);
    expect(inbox.reads[0].map((read) => read.recipient)).toEqual(['AZ-A', 'KG-B']);
  });

  it('does not read again for a commit it already covers (this replica woke it, then the NOTIFY of the same commit came)', async () => {
    const sink = await opened('AZ-A');
    const tail = inbox.add('AZ-A', 1);
    notifier.wake([tail]);
    notifier.wake([tail]);
    await settle();
    notifier.wake([tail]);
    await settle();
    expect(sink.cursors).toEqual(['1']);
    // the read at open, and one for the commit
    expect(inbox.reads).toHaveLength(2);
  });

  it('reads again at once after a full batch, and not after a short one', async () => {
    inbox.add('AZ-A', STREAM_BATCH + 5);
    const sink = await opened('AZ-A');
    await settle();
    expect(sink.cursors).toHaveLength(STREAM_BATCH + 5);
    expect(sink.cursors[STREAM_BATCH + 4]).toBe(String(STREAM_BATCH + 5));
    expect(inbox.reads).toHaveLength(2);
    expect(inbox.facts.map((round) => round[0].cursors.length)).toEqual([STREAM_BATCH, 5]);
  });

  it('resumes after the cursor it was opened with', async () => {
    inbox.add('AZ-A', 5);
    const sink = await opened('AZ-A', 3);
    expect(sink.cursors).toEqual(['4', '5']);
  });

  it('ends a stream whose key no longer works before handing it anything', async () => {
    const sink = await opened('AZ-A');
    revoked.add('key-AZ-A');
    notifier.wake([inbox.add('AZ-A', 1)]);
    await settle();
    expect(sink.ended).toBe('revoked');
    expect(sink.cursors).toEqual([]);
    expect(streams.size).toBe(0);
  });

  it('wakes every stream when it cannot know what committed (LISTEN reconnected)', async () => {
    const sink = await opened('AZ-A');
    inbox.add('AZ-A', 1);
    notifier.wake(null);
    await settle();
    expect(sink.cursors).toEqual(['1']);
  });
});

describe('parseTail', () => {
  it('reads `<recipient> <lastSeq>` and refuses anything else (then every stream looks)', () => {
    expect(parseTail('TJ-DCA 42')).toEqual({ recipient: 'TJ-DCA', lastSeq: 42 });
    expect(parseTail('TJ-DCA')).toBeNull();
    expect(parseTail(undefined)).toBeNull();
    expect(parseTail('TJ-DCA x')).toBeNull();
  });
});
