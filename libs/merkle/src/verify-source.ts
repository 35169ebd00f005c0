import { Checkpoint } from './checkpoint';

// What the verifier reads of an audit log (entries, checkpoints, proofs), whatever the transport.

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

/** Entries in log order, in pages (pages keep the per-entry loop synchronous and fast). */
export type EntryPages = Iterable<readonly AuditEntryView[]> | AsyncIterable<readonly AuditEntryView[]>;
