import { auditEntryLeafHash } from './audit-leaf';
import { CompactMerkleTree } from './compact-merkle-tree';
import { Checkpoint, generateCheckpointKeyPair, keyIdFor, signCheckpoint } from './checkpoint';
import { emptyTreeHash, hashToHex, leafHash } from './hashing';
import { FakeAuditLog, sampleAuditEntry, wireItem } from './fake-audit-log.fixture';
import {
  AuditEntryView,
  AuditLogHttpError,
  createHttpAuditLogSource,
  parseLeafLines,
  verifyEntries,
  verifyLog,
  verifyLogOverHttp,
} from './verify';

const LOG_SIZE = 1000;
const SAVED_SIZE = 600;

function verifyServed(log: FakeAuditLog, savedCheckpoint?: Checkpoint) {
  return verifyLog({ source: log.source(64), publicKeyPem: log.publicKeyPem, savedCheckpoint });
}

/** A copy of a served item whose entry has one character changed, as a superuser editing a row would. */
function withOneCharacterChanged(item: AuditEntryView): AuditEntryView {
  const entry = structuredClone(item.entry) as Record<string, unknown>;
  const recipient = entry.recipient as string;
  entry.recipient = recipient.slice(0, -1) + String.fromCharCode(recipient.charCodeAt(recipient.length - 1) + 1);
  return { ...item, entry };
}

describe('verifyLog', () => {
  let log: FakeAuditLog;
  let saved: Checkpoint;

  beforeEach(async () => {
    log = await FakeAuditLog.withEntries(SAVED_SIZE);
    saved = log.latestCheckpoint;
    await log.append(LOG_SIZE - SAVED_SIZE);
  });

  it('accepts an untouched log, paging through every entry and checking the consistency proof', async () => {
    const source = log.source(64);
    const result = await verifyLog({ source, publicKeyPem: log.publicKeyPem, savedCheckpoint: saved });
    expect(result).toMatchObject({ ok: true, treeSize: LOG_SIZE, checkedEntries: LOG_SIZE, problems: [] });
    expect(result.root).toBe(log.latestCheckpoint.rootHash);
    expect(result.firstBadSeq).toBeUndefined();
    expect(source.consistencyRequests).toEqual([[SAVED_SIZE, LOG_SIZE]]);
  });

  it('accepts an untouched log without a saved checkpoint', async () => {
    const result = await verifyServed(log);
    expect(result.ok).toBe(true);
    expect(result.latestCheckpoint).toEqual(log.latestCheckpoint);
  });

  it('accepts an empty log with an empty checkpoint', async () => {
    const empty = await FakeAuditLog.withEntries(0);
    const result = await verifyServed(empty);
    expect(result).toMatchObject({ ok: true, treeSize: 0, checkedEntries: 0, root: hashToHex(emptyTreeHash()) });
  });

  it('names the entry whose content no longer matches its stored leaf hash after one character changed', async () => {
    log.served[321] = withOneCharacterChanged(log.served[321]);
    const result = await verifyServed(log, saved);
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBe(321);
    expect(result.problems.join('\n')).toMatch(/saved checkpoint.*seq 321/);
    expect(result.problems.join('\n')).toMatch(/latest checkpoint.*seq 321/);
  });

  it('catches a changed entry whose leaf hash was rewritten too, against the saved checkpoint', async () => {
    const changed = withOneCharacterChanged(log.served[123]);
    log.served[123] = { ...changed, leafHash: hashToHex(auditEntryLeafHash(changed.entry)) };
    const result = await verifyServed(log, saved);
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/do not reproduce the saved checkpoint/);
    expect(result.problems.join('\n')).toMatch(/cannot be located/);
  });

  it('names the missing seq when an entry is deleted', async () => {
    log.served.splice(200, 1);
    const result = await verifyServed(log, saved);
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBe(200);
    expect(result.problems[0]).toMatch(/expected seq 200.*served 201/);
  });

  it('names the deleted position when the rows after it were renumbered but the stored leaf hashes were not', async () => {
    const deletedAt = 200;
    const survivors = log.served.filter((_, seq) => seq !== deletedAt);
    log.served = await Promise.all(
      survivors.map(async (item, seq) => ({ ...item, seq, leafHash: await log.storedLeafHashHex(seq) })),
    );
    const result = await verifyServed(log, saved);
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBe(deletedAt);
  });

  it('fails a renumbered deletion even when every row carries its own leaf hash', async () => {
    log.served = log.served.filter((_, seq) => seq !== 200).map((item, seq) => ({ ...item, seq }));
    const result = await verifyServed(log, saved);
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/served only 999/);
    expect(result.problems.join('\n')).toMatch(/do not reproduce the saved checkpoint/);
  });

  it('names the earlier of two entries whose contents were swapped', async () => {
    const [a, b] = [log.served[40], log.served[45]];
    log.served[40] = { ...a, entry: b.entry };
    log.served[45] = { ...b, entry: a.entry };
    const result = await verifyServed(log, saved);
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBe(40);
  });

  it('names the first position of two rows served out of order', async () => {
    [log.served[40], log.served[41]] = [log.served[41], log.served[40]];
    const result = await verifyServed(log, saved);
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBe(40);
  });

  it('rejects a forged entry appended under a checkpoint signed with a key other than the trusted one', async () => {
    const forgedEntry = { ...sampleAuditEntry(LOG_SIZE), actor: { agencyId: 'TJ-DCA', role: 'agency' } };
    log.served.push(wireItem(LOG_SIZE, forgedEntry, auditEntryLeafHash(forgedEntry)));
    const forger = generateCheckpointKeyPair();
    const forgedRoot = await rebuiltRoot(log.served);
    log.latestCheckpoint = signCheckpoint(
      forger.privateKey,
      keyIdFor(forger.publicKey),
      LOG_SIZE + 1,
      forgedRoot,
      new Date(),
    );
    const result = await verifyServed(log, saved);
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/latest checkpoint names signing key .* but the trusted key is/);
  });

  it('rejects a forged entry appended under a checkpoint that reuses a genuine signature', async () => {
    const forgedEntry = sampleAuditEntry(LOG_SIZE);
    log.served.push(wireItem(LOG_SIZE, forgedEntry, auditEntryLeafHash(forgedEntry)));
    const forgedRoot = await rebuiltRoot(log.served);
    log.latestCheckpoint = { ...log.latestCheckpoint, treeSize: LOG_SIZE + 1, rootHash: hashToHex(forgedRoot) };
    const result = await verifyServed(log, saved);
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/latest checkpoint \(size 1001\) does not carry a valid signature/);
  });

  it('reports, without failing, entries appended after the latest signed checkpoint', async () => {
    const laterEntry = sampleAuditEntry(LOG_SIZE);
    log.served.push(wireItem(LOG_SIZE, laterEntry, auditEntryLeafHash(laterEntry)));
    const result = await verifyLog({
      source: log.source(LOG_SIZE + 1),
      publicKeyPem: log.publicKeyPem,
      savedCheckpoint: saved,
    });
    expect(result).toMatchObject({ ok: true, treeSize: LOG_SIZE, checkedEntries: LOG_SIZE + 1 });
    expect(result.notes.join('\n')).toMatch(/1 entry from seq 1000 on is not yet covered/);
  });

  it('names the first missing seq when the tail of the log is cut off', async () => {
    log.served.splice(990);
    const result = await verifyServed(log, saved);
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBe(990);
    expect(result.problems.join('\n')).toMatch(/covers 1000 entries but the log served only 990/);
  });

  it('detects a rollback to a checkpoint older than the saved one', async () => {
    const newer = log.latestCheckpoint;
    log.latestCheckpoint = saved;
    const result = await verifyServed(log, newer);
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/rolled back/);
  });

  it('rejects a saved checkpoint that was not signed by the trusted key', async () => {
    const result = await verifyServed(log, { ...saved, timestamp: '2030-01-01T00:00:00.000Z' });
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/saved checkpoint \(size 600\) does not carry a valid signature/);
  });

  it('rejects a server whose consistency proof does not connect the saved checkpoint to the latest', async () => {
    const source = log.source(64);
    source.fetchConsistencyProof = async () => [hashToHex(leafHash(Buffer.from('bogus')))];
    const result = await verifyLog({ source, publicKeyPem: log.publicKeyPem, savedCheckpoint: saved });
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/consistency proof from size 600 to 1000 does not verify/);
  });

  it('names an entry that cannot be hashed at all', async () => {
    log.served[7] = { ...log.served[7], entry: undefined };
    const result = await verifyServed(log);
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBe(7);
    expect(result.problems[0]).toMatch(/seq 7 cannot be hashed/);
  });
});

describe('verifyEntries', () => {
  it('verifies plain arrays of pages without any transport', async () => {
    const log = await FakeAuditLog.withEntries(10);
    const result = await verifyEntries({
      entryPages: [log.served.slice(0, 3), log.served.slice(3)],
      latestCheckpoint: log.latestCheckpoint,
      publicKey: log.signingKey.publicKey,
    });
    expect(result).toMatchObject({ ok: true, treeSize: 10, checkedEntries: 10, root: log.latestCheckpoint.rootHash });
  });

  it('fails when the signed root does not match the entries, with no leaf hashes served', async () => {
    const log = await FakeAuditLog.withEntries(10);
    const withoutLeafHashes = log.served.map(({ leafHash: _, ...item }) => item);
    withoutLeafHashes[4] = { ...withoutLeafHashes[4], entry: sampleAuditEntry(40) };
    const result = await verifyEntries({
      entryPages: [withoutLeafHashes],
      latestCheckpoint: log.latestCheckpoint,
      publicKey: log.signingKey.publicKey,
    });
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBeUndefined();
    expect(result.problems.join('\n')).toMatch(/do not reproduce the latest checkpoint/);
  });
  it('reports a malformed checkpoint instead of throwing', async () => {
    const log = await FakeAuditLog.withEntries(4);
    const result = await verifyEntries({
      entryPages: [log.served],
      latestCheckpoint: { ...log.latestCheckpoint, treeSize: -4 },
      publicKey: log.signingKey.publicKey,
      savedCheckpoint: { ...log.latestCheckpoint, rootHash: 'not hex' },
    });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.stringMatching(/latest checkpoint is malformed: .*treeSize/)]);
  });
});

describe('HTTP audit-log source', () => {
  it('verifies a log through the HTTP API with the bearer key, reading the NDJSON export once', async () => {
    const log = await FakeAuditLog.withEntries(250);
    const saved = log.latestCheckpoint;
    await log.append(50);
    const fetchImpl = log.httpFetch('auditor-key');
    const result = await verifyLogOverHttp({
      baseUrl: 'http://audit.test/',
      apiKey: 'auditor-key',
      fetch: fetchImpl,
      publicKeyPem: log.publicKeyPem,
      savedCheckpoint: saved,
    });
    expect(result).toMatchObject({ ok: true, treeSize: 300, checkedEntries: 300 });
    expect(fetchImpl.requests).toEqual([
      '/v1/audit/checkpoint',
      '/v1/audit/export?format=leaves',
      '/v1/audit/proofs/consistency?from=250&to=300',
    ]);
  });

  it('a source without a stream is read page by page, following cursors', async () => {
    const log = await FakeAuditLog.withEntries(250);
    const saved = log.latestCheckpoint;
    await log.append(50);
    const fetchImpl = log.httpFetch('auditor-key', 100);
    const { streamEntries: _unused, ...pagedSource } = createHttpAuditLogSource({
      baseUrl: 'http://audit.test/',
      apiKey: 'auditor-key',
      fetch: fetchImpl,
    });
    const result = await verifyLog({ source: pagedSource, publicKeyPem: log.publicKeyPem, savedCheckpoint: saved });
    expect(result).toMatchObject({ ok: true, treeSize: 300, checkedEntries: 300 });
    expect(fetchImpl.requests).toEqual([
      '/v1/audit/checkpoint',
      '/v1/audit/entries?limit=1000',
      '/v1/audit/entries?after=100&limit=1000',
      '/v1/audit/entries?after=200&limit=1000',
      '/v1/audit/proofs/consistency?from=250&to=300',
    ]);
  });

  it('raises a typed error carrying the status when the server refuses the key', async () => {
    const log = await FakeAuditLog.withEntries(3);
    const source = createHttpAuditLogSource({
      baseUrl: 'http://audit.test',
      apiKey: 'wrong',
      fetch: log.httpFetch('right'),
    });
    await expect(source.fetchLatestCheckpoint()).rejects.toBeInstanceOf(AuditLogHttpError);
    await expect(source.fetchLatestCheckpoint()).rejects.toMatchObject({ status: 401 });
  });

  it('raises a typed error for a response that is not a checkpoint', async () => {
    const fetchImpl = (async () => new Response(JSON.stringify({ treeSize: 'many' }), { status: 200 })) as typeof fetch;
    const source = createHttpAuditLogSource({ baseUrl: 'http://audit.test', apiKey: 'k', fetch: fetchImpl });
    await expect(source.fetchLatestCheckpoint()).rejects.toThrow(/not a checkpoint: treeSize/);
  });

  it('reads the server-published public key from PEM text or JSON', async () => {
    const log = await FakeAuditLog.withEntries(1);
    const source = createHttpAuditLogSource({ baseUrl: 'http://audit.test', apiKey: 'k', fetch: log.httpFetch('k') });
    expect(await source.fetchPublicKeyPem()).toBe(log.publicKeyPem);
    const jsonFetch = (async () =>
      new Response(JSON.stringify({ publicKeyPem: log.publicKeyPem }), {
        headers: { 'content-type': 'application/json' },
      })) as typeof fetch;
    const jsonSource = createHttpAuditLogSource({ baseUrl: 'http://audit.test', apiKey: 'k', fetch: jsonFetch });
    expect(await jsonSource.fetchPublicKeyPem()).toBe(log.publicKeyPem);
  });
});

async function rebuiltRoot(items: readonly AuditEntryView[]): Promise<Buffer> {
  const tree = new CompactMerkleTree();
  for (const item of items) tree.append(auditEntryLeafHash(item.entry));
  return tree.root();
}

describe('parseLeafLines (the leaves export)', () => {
  it('keeps the stored text verbatim, tabs included, and hashes it as is', () => {
    const text = '{"a":"x\\ty","b":1}';
    const [item] = parseLeafLines(`7\tabcd\t${text}\n`);
    expect(item).toEqual({ seq: 7, leafHash: 'abcd', entry: text, entryText: text });
    const withTab = parseLeafLines('8\t\tleft\tright')[0];
    expect(withTab).toMatchObject({ seq: 8, leafHash: undefined, entryText: 'left\tright' });
  });

  it('turns a line without the three fields into an item with no valid seq, which verification reports', async () => {
    const items = parseLeafLines('0\tab\t{}\ngarbage\n');
    expect(items[1].seq).toBeNaN();
    const log = await FakeAuditLog.withEntries(3);
    const result = await verifyEntries({
      entryPages: [[log.served[0], items[1]]],
      latestCheckpoint: log.latestCheckpoint,
      publicKey: log.signingKey.publicKey,
    });
    expect(result.ok).toBe(false);
    expect(result.firstBadSeq).toBe(1);
  });
});
