import { KeyObject } from 'node:crypto';
import { auditEntryLeafHash } from './audit-leaf';
import { Checkpoint, keyIdFor, loadEd25519PublicKey, parseCheckpoint, verifyCheckpointSignature } from './checkpoint';
import { CompactMerkleTree } from './compact-merkle-tree';
import { emptyTreeHash, hashFromHex, hashToHex, leafHashOfUtf8 } from './hashing';
import { verifyConsistency } from './proof-verification';

/** One audit entry as served by GET /v1/audit/entries. */
export interface AuditEntryView {
  /** 0-based, contiguous, in log order. */
  seq: number;
  /** Exactly the object the log canonicalised and hashed as the leaf. */
  entry: unknown;
  /** The leaf hash the server has stored for this entry (hex), if it serves one. */
  leafHash?: string;
  /**
   * The stored leaf text exactly as served (the `leaves` export): when present it is hashed as is, with no parsing
   * or canonicalisation. Sound because the tree commits to bytes: only the bytes that were appended reproduce it.
   */
  entryText?: string;
  [field: string]: unknown;
}

export interface AuditEntryPage {
  items: AuditEntryView[];
  nextCursor: string | null;
}

/** What the verifier needs from the audit-log API, whatever the transport. */
export interface AuditLogSource {
  /** `after` is null for the first page, then the previous page's nextCursor. */
  fetchEntries(after: string | null): Promise<AuditEntryPage>;
  fetchLatestCheckpoint(): Promise<Checkpoint>;
  /** Hex hashes of PROOF(from, D[to]). */
  fetchConsistencyProof(from: number, to: number): Promise<string[]>;
  /**
   * Optional: every entry in log order as one stream (the NDJSON export), in batches. Preferred over paging: one
   * request (and one audited query) instead of one per page, and the server reads ahead while the client hashes.
   */
  streamEntries?(): AsyncIterable<readonly AuditEntryView[]>;
}

export interface VerifyEntriesInput {
  /** Entries in log order, in pages (pages keep the per-entry loop synchronous and fast). */
  entryPages: Iterable<readonly AuditEntryView[]> | AsyncIterable<readonly AuditEntryView[]>;
  /** Fetch this before the entries, so the entries cover at least its treeSize. */
  latestCheckpoint: Checkpoint;
  publicKey: KeyObject;
  /** A checkpoint the auditor saved earlier; the served entries must still produce its root. */
  savedCheckpoint?: Checkpoint;
  /** When given, the server's own consistency proof from savedCheckpoint to latestCheckpoint is checked too. */
  fetchConsistencyProof?: (from: number, to: number) => Promise<readonly string[]>;
}

export interface VerifyLogResult {
  ok: boolean;
  /** The signed tree size the root refers to (fewer if the log served fewer entries than it claims). */
  treeSize: number;
  /** Hex root rebuilt from the served entries at treeSize. */
  root: string;
  checkedEntries: number;
  /** The smallest seq shown to be missing, out of order, unreadable or altered. */
  firstBadSeq?: number;
  problems: string[];
  /** Facts that are not failures, e.g. entries newer than the latest checkpoint. */
  notes: string[];
  /** The latest checkpoint; worth saving for the next run only when ok. */
  latestCheckpoint: Checkpoint;
}

/** The transport-agnostic core: rebuild the tree from the entries and hold it against the checkpoints. */
export async function verifyEntries(input: VerifyEntriesInput): Promise<VerifyLogResult> {
  const { publicKey } = input;
  const problems: string[] = [];
  const notes: string[] = [];
  const badSeqs: number[] = [];

  const latest = parseCheckpointOrReport(input.latestCheckpoint, 'latest', problems);
  if (!latest) {
    const root = hashToHex(emptyTreeHash());
    return { ok: false, treeSize: 0, root, checkedEntries: 0, problems, notes, latestCheckpoint: input.latestCheckpoint };
  }
  const saved = input.savedCheckpoint && parseCheckpointOrReport(input.savedCheckpoint, 'saved', problems);

  const latestIsSigned = checkSignature(latest, 'latest', publicKey, problems);
  const savedIsSigned = saved ? checkSignature(saved, 'saved', publicKey, problems) : false;

  const rebuild = await rebuildTree(input.entryPages, [latest.treeSize, ...(saved ? [saved.treeSize] : [])]);
  problems.push(...rebuild.problems);
  badSeqs.push(...rebuild.badSeqs);

  if (rebuild.leafCount < latest.treeSize && !rebuild.stoppedEarly) {
    problems.push(
      `the latest checkpoint covers ${latest.treeSize} entries but the log served only ${rebuild.leafCount}: ` +
        `entries from seq ${rebuild.leafCount} on are missing`,
    );
    badSeqs.push(rebuild.leafCount);
  }
  if (rebuild.leafCount > latest.treeSize) {
    const uncovered = rebuild.leafCount - latest.treeSize;
    notes.push(
      `${uncovered} ${uncovered === 1 ? 'entry' : 'entries'} from seq ${latest.treeSize} on ` +
        `${uncovered === 1 ? 'is' : 'are'} not yet covered by a signed checkpoint`,
    );
  }

  const firstLeafMismatch = rebuild.firstLeafHashMismatch;
  const rebuiltLatestRoot = rebuild.rootsAtSize.get(latest.treeSize);
  if (rebuiltLatestRoot && hashToHex(rebuiltLatestRoot) !== latest.rootHash) {
    problems.push(
      `the entries do not reproduce the latest checkpoint: root at size ${latest.treeSize} is ` +
        `${hashToHex(rebuiltLatestRoot)}, the checkpoint says ${latest.rootHash}` +
        locateDivergence(firstLeafMismatch, latest.treeSize),
    );
  }

  if (saved) {
    const rebuiltSavedRoot = rebuild.rootsAtSize.get(saved.treeSize);
    if (saved.treeSize > latest.treeSize) {
      problems.push(
        `the latest checkpoint (size ${latest.treeSize}) is older than the saved one (size ${saved.treeSize}): ` +
          'the log was rolled back',
      );
    } else if (saved.treeSize === latest.treeSize && saved.rootHash !== latest.rootHash) {
      problems.push(`two checkpoints of size ${saved.treeSize} have different roots: the log has been forked`);
    }
    if (rebuiltSavedRoot && hashToHex(rebuiltSavedRoot) !== saved.rootHash) {
      problems.push(
        `the entries do not reproduce the saved checkpoint: root at size ${saved.treeSize} is ` +
          `${hashToHex(rebuiltSavedRoot)}, the saved checkpoint says ${saved.rootHash}` +
          locateDivergence(firstLeafMismatch, saved.treeSize),
      );
    }
    if (input.fetchConsistencyProof && latestIsSigned && savedIsSigned && saved.treeSize < latest.treeSize) {
      const proofProblem = await checkServedConsistencyProof(saved, latest, input.fetchConsistencyProof);
      if (proofProblem) problems.push(proofProblem);
    }
  }

  const treeSize = Math.min(latest.treeSize, rebuild.leafCount);
  return {
    ok: problems.length === 0,
    treeSize,
    root: hashToHex(rebuild.rootsAtSize.get(treeSize) ?? rebuild.rootAtEnd),
    checkedEntries: rebuild.leafCount,
    ...(badSeqs.length > 0 ? { firstBadSeq: Math.min(...badSeqs) } : {}),
    problems,
    notes,
    latestCheckpoint: latest,
  };
}

export interface VerifyLogOptions {
  source: AuditLogSource;
  /** The log operator's checkpoint key, obtained out of band. */
  publicKeyPem: string;
  savedCheckpoint?: Checkpoint;
}

/** Checkpoint first, then every entry up to it, then the checks of verifyEntries. */
export async function verifyLog(options: VerifyLogOptions): Promise<VerifyLogResult> {
  const { source } = options;
  const latestCheckpoint = await source.fetchLatestCheckpoint();
  return verifyEntries({
    entryPages: source.streamEntries ? firstEntries(source.streamEntries(), latestCheckpoint.treeSize) : pagesUpTo(source, latestCheckpoint.treeSize),
    latestCheckpoint,
    publicKey: loadEd25519PublicKey(options.publicKeyPem),
    savedCheckpoint: options.savedCheckpoint,
    fetchConsistencyProof: (from, to) => source.fetchConsistencyProof(from, to),
  });
}

export interface HttpAuditLogSourceOptions {
  /** e.g. http://localhost:3002 */
  baseUrl: string;
  /** An auditor key, sent as `Authorization: Bearer`. */
  apiKey: string;
  /** 1..1000 */
  pageSize?: number;
  fetch?: typeof fetch;
}

export class AuditLogHttpError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'AuditLogHttpError';
  }
}

export interface HttpAuditLogSource extends AuditLogSource {
  /** The server's own claim about its key: only for a first look, since trusting it defeats verification. */
  fetchPublicKeyPem(): Promise<string>;
}

export function createHttpAuditLogSource(options: HttpAuditLogSourceOptions): HttpAuditLogSource {
  const fetchImpl = options.fetch ?? fetch;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const pageSize = options.pageSize ?? 1000;

  async function get(route: string, query: Record<string, string> = {}, signal?: AbortSignal): Promise<{ response: Response; url: string }> {
    const url = new URL(`${baseUrl}${route}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    let response: Response;
    try {
      response = await fetchImpl(url, { headers: { authorization: `Bearer ${options.apiKey}` }, signal });
    } catch (error) {
      throw new AuditLogHttpError(`cannot reach ${url}: ${(error as Error).message}`, url.toString());
    }
    if (!response.ok) {
      throw new AuditLogHttpError(`GET ${url} answered ${response.status}`, url.toString(), response.status);
    }
    return { response, url: url.toString() };
  }

  async function getJson(route: string, query?: Record<string, string>): Promise<{ body: unknown; url: string }> {
    const { response, url } = await get(route, query);
    try {
      return { body: await response.json(), url };
    } catch {
      throw new AuditLogHttpError(`GET ${url} did not return JSON`, url, response.status);
    }
  }

  const malformed = (url: string, expected: string) => new AuditLogHttpError(`GET ${url} did not return ${expected}`, url);

  return {
    async fetchEntries(after) {
      const query = { ...(after === null ? {} : { after }), limit: String(pageSize) };
      const { body, url } = await getJson('/v1/audit/entries', query);
      if (!isEntryPage(body)) throw malformed(url, '{items: [...], nextCursor}');
      return body;
    },
    async fetchLatestCheckpoint() {
      const { body, url } = await getJson('/v1/audit/checkpoint');
      try {
        return parseCheckpoint(body);
      } catch (error) {
        throw malformed(url, `a checkpoint (${(error as Error).message})`);
      }
    },
    async fetchConsistencyProof(from, to) {
      const { body, url } = await getJson('/v1/audit/proofs/consistency', { from: String(from), to: String(to) });
      const proof = (body as { proof?: unknown } | null)?.proof;
      if (!Array.isArray(proof) || !proof.every((hash): hash is string => typeof hash === 'string')) {
        throw malformed(url, '{proof: [hex, ...]}');
      }
      return proof;
    },
    async *streamEntries() {
      const abort = new AbortController();
      const { response, url } = await get('/v1/audit/export', { format: 'leaves' }, abort.signal);
      if (!response.body) throw new AuditLogHttpError(`GET ${url} answered ${response.status}`, url, response.status);
      const decoder = new TextDecoder();
      let pending = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          pending += decoder.decode(chunk, { stream: true });
          const cut = pending.lastIndexOf('\n');
          if (cut < 0) continue;
          const items = parseLeafLines(pending.slice(0, cut));
          pending = pending.slice(cut + 1);
          if (items.length > 0) yield items;
        }
        pending += decoder.decode();
        const rest = parseLeafLines(pending);
        if (rest.length > 0) yield rest;
      } catch (error) {
        throw new AuditLogHttpError(`GET ${url} broke off: ${(error as Error).message}`, url);
      } finally {
        // The verifier stops at the checkpoint's size: the rest of the export is not needed.
        abort.abort();
      }
    },
    async fetchPublicKeyPem() {
      const { response, url } = await get('/v1/audit/public-key');
      const text = await response.text();
      if (!(response.headers.get('content-type') ?? '').includes('json')) return text;
      let pem: unknown;
      try {
        const body = JSON.parse(text) as { publicKeyPem?: unknown; publicKey?: unknown };
        pem = body.publicKeyPem ?? body.publicKey;
      } catch {
        pem = undefined;
      }
      if (typeof pem !== 'string') throw malformed(url, 'a PEM public key');
      return pem;
    },
  };
}

export function verifyLogOverHttp(
  options: HttpAuditLogSourceOptions & { publicKeyPem: string; savedCheckpoint?: Checkpoint },
): Promise<VerifyLogResult> {
  return verifyLog({
    source: createHttpAuditLogSource(options),
    publicKeyPem: options.publicKeyPem,
    savedCheckpoint: options.savedCheckpoint,
  });
}

interface TreeRebuild {
  leafCount: number;
  rootsAtSize: Map<number, Buffer>;
  rootAtEnd: Buffer;
  firstLeafHashMismatch?: number;
  /** True when an entry made it impossible to continue (gap, reordering, unreadable entry). */
  stoppedEarly: boolean;
  problems: string[];
  badSeqs: number[];
}

async function rebuildTree(
  entryPages: VerifyEntriesInput['entryPages'],
  sizesOfInterest: readonly number[],
): Promise<TreeRebuild> {
  const tree = new CompactMerkleTree();
  const wanted = new Set(sizesOfInterest);
  const rootsAtSize = new Map<number, Buffer>();
  if (wanted.has(0)) rootsAtSize.set(0, emptyTreeHash());
  const problems: string[] = [];
  const badSeqs: number[] = [];
  let firstLeafHashMismatch: number | undefined;
  let leafHashMismatches = 0;
  let stoppedEarly = false;

  pages: for await (const page of entryPages) {
    for (const item of page) {
      const expectedSeq = tree.size;
      if (typeof item !== 'object' || item === null || item.seq !== expectedSeq) {
        const served = typeof item === 'object' && item !== null ? JSON.stringify(item.seq) : 'a non-object';
        problems.push(`expected seq ${expectedSeq} next but the log served ${served}: an entry is missing or out of order`);
        badSeqs.push(expectedSeq);
        stoppedEarly = true;
        break pages;
      }
      let hash: Buffer;
      try {
        hash = typeof item.entryText === 'string' ? leafHashOfUtf8(item.entryText) : auditEntryLeafHash(item.entry);
      } catch (error) {
        problems.push(`entry seq ${expectedSeq} cannot be hashed: ${(error as Error).message}`);
        badSeqs.push(expectedSeq);
        stoppedEarly = true;
        break pages;
      }
      if (item.leafHash !== undefined && !sameHex(item.leafHash, hash)) {
        leafHashMismatches += 1;
        if (firstLeafHashMismatch === undefined) {
          firstLeafHashMismatch = expectedSeq;
          badSeqs.push(expectedSeq);
        }
      }
      tree.append(hash);
      if (wanted.has(tree.size)) rootsAtSize.set(tree.size, tree.root());
    }
  }

  if (firstLeafHashMismatch !== undefined) {
    problems.push(
      `${leafHashMismatches} ${leafHashMismatches === 1 ? 'entry does' : 'entries do'} not match the leaf hash ` +
        `served with ${leafHashMismatches === 1 ? 'it' : 'them'}, the first at seq ${firstLeafHashMismatch}`,
    );
  }
  return {
    leafCount: tree.size,
    rootsAtSize,
    rootAtEnd: tree.root(),
    firstLeafHashMismatch,
    stoppedEarly,
    problems,
    badSeqs,
  };
}

function parseCheckpointOrReport(checkpoint: unknown, label: string, problems: string[]): Checkpoint | undefined {
  try {
    return parseCheckpoint(checkpoint);
  } catch (error) {
    problems.push(`the ${label} checkpoint is malformed: ${(error as Error).message}`);
    return undefined;
  }
}

function checkSignature(checkpoint: Checkpoint, label: string, publicKey: KeyObject, problems: string[]): boolean {
  const expectedKeyId = keyIdFor(publicKey);
  if (checkpoint.keyId !== expectedKeyId) {
    problems.push(
      `the ${label} checkpoint names signing key ${JSON.stringify(checkpoint.keyId)}, but the trusted key is ${expectedKeyId}`,
    );
    return false;
  }
  if (!verifyCheckpointSignature(checkpoint, publicKey)) {
    problems.push(`the ${label} checkpoint (size ${checkpoint.treeSize}) does not carry a valid signature`);
    return false;
  }
  return true;
}

async function checkServedConsistencyProof(
  saved: Checkpoint,
  latest: Checkpoint,
  fetchConsistencyProof: NonNullable<VerifyEntriesInput['fetchConsistencyProof']>,
): Promise<string | undefined> {
  let proof: Buffer[];
  try {
    proof = (await fetchConsistencyProof(saved.treeSize, latest.treeSize)).map(hashFromHex);
  } catch (error) {
    return `no usable consistency proof from size ${saved.treeSize} to ${latest.treeSize}: ${(error as Error).message}`;
  }
  const consistent = verifyConsistency(
    saved.treeSize,
    latest.treeSize,
    hashFromHex(saved.rootHash),
    hashFromHex(latest.rootHash),
    proof,
  );
  return consistent
    ? undefined
    : `the server's consistency proof from size ${saved.treeSize} to ${latest.treeSize} does not verify: ` +
        'the latest checkpoint does not extend the saved one';
}

function locateDivergence(firstLeafHashMismatch: number | undefined, treeSize: number): string {
  if (firstLeafHashMismatch !== undefined && firstLeafHashMismatch < treeSize) {
    return `; the first entry that differs from its stored leaf hash is seq ${firstLeafHashMismatch}`;
  }
  return '; every entry matches the leaf hash served with it (if any), so the altered entry cannot be located from the API alone';
}

async function* pagesUpTo(source: AuditLogSource, treeSize: number): AsyncGenerator<readonly AuditEntryView[]> {
  let cursor: string | null = null;
  let served = 0;
  // Stop once the checkpoint is covered: a busy log would otherwise keep the verifier paging forever.
  do {
    const page: AuditEntryPage = await source.fetchEntries(cursor);
    if (page.items.length === 0) return;
    yield page.items;
    served += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== null && served < treeSize);
}

/**
 * Lines of the `leaves` export: `seq TAB leafHashHex TAB storedEntryText`. A line that does not have that shape
 * becomes an item with no valid seq, so the verifier reports the position where the log stops making sense.
 */
export function parseLeafLines(text: string): AuditEntryView[] {
  const items: AuditEntryView[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0) continue;
    const first = line.indexOf('\t');
    const second = first < 0 ? -1 : line.indexOf('\t', first + 1);
    if (second < 0) {
      items.push({ seq: Number.NaN, entry: line });
      continue;
    }
    const entryText = line.slice(second + 1);
    items.push({ seq: Number(line.slice(0, first)), leafHash: line.slice(first + 1, second) || undefined, entry: entryText, entryText });
  }
  return items;
}

/** Batches up to the entry that completes the checkpoint (the stream may hold newer entries). */
async function* firstEntries(batches: AsyncIterable<readonly AuditEntryView[]>, treeSize: number): AsyncGenerator<readonly AuditEntryView[]> {
  let served = 0;
  for await (const batch of batches) {
    const wanted = batch.length <= treeSize - served ? batch : batch.slice(0, treeSize - served);
    if (wanted.length > 0) yield wanted;
    served += wanted.length;
    if (served >= treeSize) return;
  }
}

function isEntryPage(body: unknown): body is AuditEntryPage {
  if (typeof body !== 'object' || body === null) return false;
  const { items, nextCursor } = body as Record<string, unknown>;
  return Array.isArray(items) && (nextCursor === null || typeof nextCursor === 'string');
}

function sameHex(servedHex: unknown, hash: Buffer): boolean {
  if (typeof servedHex !== 'string') return false;
  const hex = hashToHex(hash);
  return servedHex === hex || servedHex.toLowerCase() === hex;
}
