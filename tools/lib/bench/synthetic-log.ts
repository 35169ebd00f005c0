/**
 * Writes a synthetic audit log straight into a fresh audit schema: the facts the services state for each alert
 * (audit-facts.ts), as the audit-log's own auditEntryOf makes them entries and its entrySubjects indexes them,
 * hashed and stored with libs/merkle's own functions — canonicalJson, the RFC 6962 leaf hash, appendLeaves for the
 * stored complete subtrees, signCheckpoint for the seal the service checks before it builds on a tree.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';
import type { AuditEntry, EntrySubject } from '../../../apps/audit-log/src/log/audit-entry';
import { factState, serviceEntries } from './audit-facts';
import type { HubSource } from './hub-source';

const CHUNK = 1 << 14; // 16,384 leaves per transaction: a power of two keeps the frontier above level 14
const LIBRARY_SAMPLE = 200000; // entries kept in memory for the library-only verify

/** The first entries' canonical text and leaf hashes, kept for the library-only verify. */
export interface EntrySample {
  canonical: string[];
  leafHashes: Buffer[];
}

export interface WrittenLog {
  alertIds: string[];
  sample: EntrySample | null;
  treeSize: number;
  rootHash: string;
  computeMs: number;
  waitMs: number;
  indexMs: number;
  averageEntryBytes: number;
  rebuiltIndexes: string[];
}

interface IndexDefinition {
  indexname: string;
  indexdef: string;
}

/** A copy with object keys in canonical order (UTF-16 code units, i.e. the default sort) at every depth. */
export function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortedDeep((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** audit.entries rows of a chunk as one JSON document (the columns are the writer's own, audit-log.writer.ts). */
export function entryRowsJson(chunk: { entry: AuditEntry }[], firstSeq: number, canonical: string[]): string {
  return JSON.stringify(
    chunk.map(({ entry: e }, i) => ({
      seq: firstSeq + i,
      event_id: e.eventId,
      type: e.type,
      at: e.at,
      actor_agency: e.actor.agencyId ?? null,
      actor_key_id: e.actor.keyId ?? null,
      actor_role: e.actor.role ?? null,
      actor_service: e.actor.service ?? null,
      alert_id: e.alertId ?? null,
      version: e.version ?? null,
      recipient: e.recipient ?? null,
      decision: e.decision ?? null,
      reason: e.reason ?? null,
      entry: canonical[i],
    })),
  );
}

/**
 * Writes `total` synthetic entries, their Merkle nodes and a seal. Bulk-load practice, on the bench database only:
 * the secondary indexes of audit.entries and audit.entry_subjects are dropped first and rebuilt at the end from their own definitions
 * (pg_indexes), commits are asynchronous, and hashing the next chunk overlaps PostgreSQL inserting the last.
 * Returns the alert ids (for trail queries), the tree size and root, and the timings.
 */
export async function writeSyntheticLog({
  source,
  connect,
  total,
  privateKeyPem,
  log,
}: {
  source: HubSource;
  connect: (applicationName: string) => Promise<Client>;
  total: number;
  privateKeyPem: string;
  log: (line: string) => void;
}): Promise<WrittenLog> {
  const {
    canonicalJson,
    leafHashOfUtf8,
    appendLeaves,
    completeSubtreePositions,
    InMemoryMerkleNodeStore,
    rootAt,
    signCheckpoint,
    keyIdFor,
    loadEd25519PrivateKey,
  } = source.merkle;
  const privateKey = loadEd25519PrivateKey(privateKeyPem);
  const entriesDb = await connect('bench-audit-writer-entries');
  const nodesDb = await connect('bench-audit-writer-nodes');
  const timings = { computeMs: 0, waitMs: 0, indexMs: 0 };
  try {
    for (const db of [entriesDb, nodesDb]) await db.query('SET synchronous_commit = off');
    const { rows: indexes } = await entriesDb.query<IndexDefinition>(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
       WHERE i.schemaname = 'audit' AND i.tablename IN ('entries', 'entry_subjects')
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = 'audit'::regnamespace)`,
    );
    for (const index of indexes) await entriesDb.query(`DROP INDEX audit."${index.indexname}"`);

    const alertIds: string[] = [];
    const sample: EntrySample = { canonical: [], leafHashes: [] };
    let size = 0;
    let frontier = new InMemoryMerkleNodeStore();
    let queue: { entry: AuditEntry; subjects: EntrySubject[] }[] = [];
    let alert = 0;
    let inFlight: Promise<unknown> = Promise.resolve();
    let entryBytes = 0;
    const state = factState(source);
    while (size < total) {
      const t0 = performance.now();
      const count = Math.min(CHUNK, total - size);
      while (queue.length < count) {
        const made = serviceEntries(source, state, alert, 100);
        alert += 100;
        alertIds.push(...made.alertIds);
        queue.push(...made.entries);
      }
      const chunk = queue.slice(0, count);
      queue = queue.slice(count);
      // Keys pre-sorted: canonicalJson then takes its fast path (native JSON.stringify after an order check)
      // instead of sorting itself, about 2.5× faster for the same bytes.
      const canonical = chunk.map(({ entry }) => canonicalJson(sortedDeep(entry)));
      const leafHashes = canonical.map((text) => leafHashOfUtf8(text));
      for (let i = 0; i < canonical.length && sample.canonical.length < LIBRARY_SAMPLE; i++) {
        sample.canonical.push(canonical[i]);
        sample.leafHashes.push(leafHashes[i]);
      }
      const nodes = await appendLeaves(frontier, size, leafHashes);
      const firstSeq = size;
      const newSize = size + count;
      // Keep only the new frontier (complete subtrees of the new size): what the next chunk builds on.
      const next = new InMemoryMerkleNodeStore();
      const byPosition = new Map(nodes.map((node) => [`${node.level}:${node.index}`, node]));
      for (const position of completeSubtreePositions(0, newSize)) {
        const stored = byPosition.get(`${position.level}:${position.index}`);
        const hash = stored ? stored.hash : await frontier.getNode(position.level, position.index);
        next.put([{ ...position, hash }]);
      }
      for (const text of canonical) entryBytes += text.length;
      // One JSON document per chunk (JSON.stringify and PostgreSQL's JSON parser are native code; building 14
      // array literals in JavaScript is several times slower).
      const rowsJson = entryRowsJson(chunk, firstSeq, canonical);
      const nodeParams = [
        nodes.map((n) => n.level),
        nodes.map((n) => String(n.index)),
        nodes.map((n) => n.hash.toString('hex')),
      ];
      // What the audit-log's subject index holds for these entries (its own entrySubjects, as its writer inserts them).
      const subjects = chunk.flatMap(({ subjects: list }, i) =>
        list.map((subject) => ({ seq: String(firstSeq + i), ...subject })),
      );
      const t1 = performance.now();
      timings.computeMs += t1 - t0;
      await inFlight; // the previous chunk's inserts
      timings.waitMs += performance.now() - t1;
      inFlight = Promise.all([
        entriesDb.query(
          `INSERT INTO audit.entries
             (seq, event_id, type, at, actor_agency, actor_key_id, actor_role, actor_service, alert_id, version, recipient, decision, reason, entry)
           SELECT seq, event_id, type, at, actor_agency, actor_key_id, actor_role, actor_service, alert_id, version, recipient, decision, reason, entry
           FROM json_to_recordset($1::json) AS r(seq bigint, event_id text, type text, at timestamptz, actor_agency text, actor_key_id text,
             actor_role text, actor_service text, alert_id text, version int, recipient text, decision text, reason text, entry text)`,
          [rowsJson],
        ),
        nodesDb
          .query(
            `INSERT INTO audit.merkle_nodes (level, idx, hash)
             SELECT level, idx, decode(hash, 'hex') FROM unnest($1::int[], $2::bigint[], $3::text[]) AS node(level, idx, hash)`,
            nodeParams,
          )
          .then(() =>
            nodesDb.query(
              `INSERT INTO audit.entry_subjects (seq, alert_id, version, agency, decision, reason)
               SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[])`,
              [
                subjects.map((r) => r.seq),
                subjects.map((r) => r.alertId),
                subjects.map((r) => r.version),
                subjects.map((r) => r.agency),
                subjects.map((r) => r.decision),
                subjects.map((r) => r.reason),
              ],
            ),
          ),
      ]);
      frontier = next;
      size = newSize;
      if (size % (CHUNK * 16) === 0 || size === total)
        log(`audit: ${size.toLocaleString('en-US')} synthetic entries hashed`);
    }
    const t2 = performance.now();
    await inFlight;
    timings.waitMs += performance.now() - t2;
    const t3 = performance.now();
    // Two connections, one statement at a time on each.
    const rebuild = async (db: Client, list: IndexDefinition[]) => {
      for (const index of list) await db.query(index.indexdef);
    };
    await Promise.all([
      rebuild(
        entriesDb,
        indexes.filter((_, i) => i % 2 === 0),
      ),
      rebuild(
        nodesDb,
        indexes.filter((_, i) => i % 2 === 1),
      ),
    ]);
    timings.indexMs = performance.now() - t3;
    const root = await rootAt(frontier, size);
    const seal = signCheckpoint(privateKey, keyIdFor(privateKey), size, root, new Date());
    await entriesDb.query(
      `INSERT INTO audit.tree_heads (tree_size, root_hash, signed_at, key_id, signature) VALUES ($1, $2, $3, $4, $5)`,
      [seal.treeSize, seal.rootHash, seal.timestamp, seal.keyId, seal.signature],
    );
    await Promise.all([
      entriesDb.query('ANALYZE audit.entries'),
      nodesDb.query('ANALYZE audit.merkle_nodes').then(() => nodesDb.query('ANALYZE audit.entry_subjects')),
    ]);
    return {
      alertIds,
      sample,
      treeSize: size,
      rootHash: seal.rootHash,
      ...timings,
      averageEntryBytes: Math.round(entryBytes / size),
      rebuiltIndexes: indexes.map((i) => i.indexname),
    };
  } finally {
    await entriesDb.end().catch(() => undefined);
    await nodesDb.end().catch(() => undefined);
  }
}
