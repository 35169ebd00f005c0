import { KeyObject } from 'node:crypto';
import { Checkpoint, keyIdFor, loadEd25519PublicKey, parseCheckpoint, verifyCheckpointSignature } from './checkpoint';
import { emptyTreeHash, hashFromHex, hashToHex } from './hashing';
import { verifyConsistency } from './proof-verification';
import { createHttpAuditLogSource, HttpAuditLogSourceOptions } from './verify-http-source';
import { AuditEntryPage, AuditEntryView, AuditLogSource, EntryPages } from './verify-source';
import { rebuildTree } from './verify-tree-rebuild';

// The verifier's whole public surface stays importable from './verify', its sources included.
export * from './verify-source';
export * from './verify-http-source';

export interface VerifyEntriesInput {
  /** Entries in log order, in pages (pages keep the per-entry loop synchronous and fast). */
  entryPages: EntryPages;
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
    return {
      ok: false,
      treeSize: 0,
      root,
      checkedEntries: 0,
      problems,
      notes,
      latestCheckpoint: input.latestCheckpoint,
    };
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
    entryPages: source.streamEntries
      ? firstEntries(source.streamEntries(), latestCheckpoint.treeSize)
      : pagesUpTo(source, latestCheckpoint.treeSize),
    latestCheckpoint,
    publicKey: loadEd25519PublicKey(options.publicKeyPem),
    savedCheckpoint: options.savedCheckpoint,
    fetchConsistencyProof: (from, to) => source.fetchConsistencyProof(from, to),
  });
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

/** Batches up to the entry that completes the checkpoint (the stream may hold newer entries). */
async function* firstEntries(
  batches: AsyncIterable<readonly AuditEntryView[]>,
  treeSize: number,
): AsyncGenerator<readonly AuditEntryView[]> {
  let served = 0;
  for await (const batch of batches) {
    const wanted = batch.length <= treeSize - served ? batch : batch.slice(0, treeSize - served);
    if (wanted.length > 0) yield wanted;
    served += wanted.length;
    if (served >= treeSize) return;
  }
}
