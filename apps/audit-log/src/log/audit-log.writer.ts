import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { createHash } from 'node:crypto';
import { AuditEventType } from '@hub/contracts/audit-event';
import { isFactOwnedBy } from '@hub/contracts/fact-owners';
import { HubService } from '@hub/contracts/topics';
import {
  appendLeaves,
  canonicalJson,
  Checkpoint,
  completeSubtreePositions,
  InMemoryMerkleNodeStore,
  readNodes,
  rootAt,
  StoredMerkleNode,
} from '@hub/merkle';
import { CheckpointKey } from '../signing/checkpoint-key';
import { auditLogMetrics } from './audit-log.metrics';
import { AuditEntry, entrySubjects, PreparedEntry, prepareEntry } from './audit-entry';
import { PostgresMerkleNodeStore, SqlRunner } from './postgres-node-store';
import { SealedTree, SealedTreeReader } from './sealed-tree';

export interface AppendResult {
  eventId: string;
  /** Where the eventId is in the log; null when the event was refused and nothing holds its id. */
  seq: number | null;
  /** False when the event was already in the log (a redelivery): nothing was written for it. */
  appended: boolean;
}

/**
 * Taken at the start of every append transaction: seq numbers, Merkle nodes and seals are assigned by one writer
 * at a time, across all instances of the service. Keyed by the entries table's OID, so it cannot collide.
 */
export const APPEND_LOCK_SQL = `SELECT pg_advisory_xact_lock('audit.entries'::regclass::oid::int, 0)`;

/**
 * The tree this writer last committed: its size, root and frontier (the complete subtrees its size decomposes
 * into, at most log2(n) nodes), everything the next append needs. Kept in memory, so an append reads nothing but
 * the eventIds it dedups; re-read (and checked against the seal) at start and after any append that failed or
 * whose commit is uncertain.
 */
interface TreeTip extends SealedTree {
  frontier: InMemoryMerkleNodeStore;
}

/**
 * Appends entries in one transaction: dedup by eventId, next seq numbers, the Merkle nodes they complete
 * (O(log n) per entry), and a new seal (signed tree head). Nothing else ever writes the log tables.
 *
 * Per batch: the append lock, one dedup read, and one statement writing entries, subjects, nodes and the seal.
 * The tip of the tree comes from memory. Another writer (a second replica, or a superuser appending behind our
 * back) cannot go unnoticed: whatever it appended holds the seq and tree size we would write next, so our write
 * fails on their primary keys, the tip is dropped, and the retry re-reads it from the database and checks it
 * against the newest seal (SealedTreeReader), exactly as at start.
 */
@Injectable()
export class AuditLogWriter {
  private tip: TreeTip | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sealedTrees: SealedTreeReader,
    private readonly key: CheckpointKey,
  ) {}

  async append(entries: readonly AuditEntry[]): Promise<AppendResult[]> {
    const fromMemory = this.tip !== null;
    try {
      return await this.appendOnce(entries);
    } catch (error) {
      this.tip = null;
      // A tip from memory may be stale (another writer appended): try once more on the tip as the database has it.
      if (!fromMemory || !isUniqueViolation(error)) throw error;
      try {
        return await this.appendOnce(entries);
      } catch (retryError) {
        this.tip = null;
        throw retryError;
      }
    }
  }

  private async appendOnce(entries: readonly AuditEntry[]): Promise<AppendResult[]> {
    let next: TreeTip | null = null;
    let appended = 0;
    const raisedNow: string[] = [];
    const results = await this.dataSource.transaction(async (manager) => {
      await manager.query(APPEND_LOCK_SQL);
      const tip = this.tip ?? (await this.readTip(manager));

      const eventIds = [...new Set(entries.map((entry) => entry.eventId))];
      const recorded: { event_id: string; seq: string; entry: string }[] = await manager.query(
        `SELECT event_id, seq, entry FROM audit.entries WHERE event_id = ANY($1::text[])`,
        [eventIds],
      );
      const known = new Map(recorded.map((row) => [row.event_id, { seq: Number(row.seq), canonical: row.entry }]));
      const fresh: PreparedEntry[] = [];
      const append = (entry: AuditEntry): number => {
        const prepared = prepareEntry(entry);
        const seq = tip.treeSize + fresh.length;
        known.set(entry.eventId, { seq, canonical: prepared.canonical });
        fresh.push(prepared);
        return seq;
      };
      // Alarms are appended after the batch's own entries, once: an alarm's eventId is not among the batch's, so the
      // ones a redelivered offer already raised are looked up here (else their insert breaks the unique eventId and
      // the consumer retries the same batch forever).
      const alarms: AuditEntry[] = [];
      const alarm = (entry: AuditEntry, reason: IntegrityAlarmReason, recordedSeq: number | null): void => {
        alarms.push(integrityAlarm(entry, reason, recordedSeq));
      };
      const results = entries.map((entry): AppendResult => {
        // The topic says which service wrote the event; an event that claims to be another service's act, or states a
        // fact only another service can state (FACT_OWNERS), is refused (it never takes its eventId) and recorded as
        // an alarm, once per distinct offered content.
        const refusal = refusalOf(entry);
        if (refusal !== null) {
          alarm(entry, refusal, null);
          return { eventId: entry.eventId, seq: known.get(entry.eventId)?.seq ?? null, appended: false };
        }
        const recordedEntry = known.get(entry.eventId);
        if (recordedEntry === undefined) return { eventId: entry.eventId, seq: append(entry), appended: true };
        // A redelivery states the same fact byte for byte. Different content under a recorded eventId is refused
        // (whoever wrote first keeps the id) and recorded as an alarm, once per distinct offered content.
        if (canonicalJson(entry) !== recordedEntry.canonical)
          alarm(entry, IntegrityAlarmReason.ContentMismatch, recordedEntry.seq);
        return { eventId: entry.eventId, seq: recordedEntry.seq, appended: false };
      });
      if (alarms.length > 0) {
        const raised: { event_id: string }[] = await manager.query(
          `SELECT event_id FROM audit.entries WHERE event_id = ANY($1::text[])`,
          [[...new Set(alarms.map((a) => a.eventId))]],
        );
        const raisedBefore = new Set(raised.map((row) => row.event_id));
        for (const raisedAlarm of alarms)
          if (!raisedBefore.has(raisedAlarm.eventId) && !known.has(raisedAlarm.eventId)) {
            append(raisedAlarm);
            raisedNow.push(alarmReasonLabel(raisedAlarm));
          }
      }
      if (fresh.length === 0) {
        next = tip;
        return results;
      }

      const extended = await extendTree(tip, fresh);
      const seal = this.key.sign(extended.treeSize, extended.root);
      await writeAppend(manager, tip.treeSize, fresh, extended.nodes, seal);
      next = extended;
      appended = fresh.length;
      return results;
    });
    this.tip = next;
    // Counted once committed: a rolled-back attempt appended nothing.
    auditLogMetrics.entriesAppended.inc(appended);
    for (const reason of raisedNow) auditLogMetrics.integrityAlarms.inc({ reason });
    return results;
  }

  /**
   * The tip as the database has it, checked against the newest seal: the entry count and the frontier nodes (at
   * most log2(n), one query) must fold into the sealed root.
   */
  private async readTip(db: SqlRunner): Promise<TreeTip> {
    const sealed = await this.sealedTrees.newest(db);
    const positions = sealed.treeSize === 0 ? [] : completeSubtreePositions(0, sealed.treeSize);
    const hashes = await readNodes(new PostgresMerkleNodeStore(db), positions);
    const frontier = new InMemoryMerkleNodeStore();
    frontier.put(positions.map((position, i) => ({ ...position, hash: hashes[i] })));
    await this.sealedTrees.assertNodesMatch(frontier, sealed);
    return { ...sealed, frontier };
  }
}

/** The nodes the fresh entries complete, the new root, and the new tip (its frontier only: memory stays O(log n)). */
async function extendTree(
  tip: TreeTip,
  fresh: readonly PreparedEntry[],
): Promise<TreeTip & { nodes: StoredMerkleNode[] }> {
  const nodes = await appendLeaves(
    tip.frontier,
    tip.treeSize,
    fresh.map((entry) => entry.leafHash),
  );
  const treeSize = tip.treeSize + fresh.length;
  const all = new InMemoryMerkleNodeStore();
  all.put(nodes);
  const positions = completeSubtreePositions(0, treeSize);
  const created = new Set(nodes.map((node) => `${node.level}:${node.index}`));
  const hashes = await Promise.all(
    positions.map((p) =>
      created.has(`${p.level}:${p.index}`) ? all.getNode(p.level, p.index) : tip.frontier.getNode(p.level, p.index),
    ),
  );
  const frontier = new InMemoryMerkleNodeStore();
  frontier.put(positions.map((position, i) => ({ ...position, hash: hashes[i] })));
  return { treeSize, root: await rootAt(frontier, treeSize), frontier, nodes };
}

/** 23505: the write collided with a row someone else wrote (see AuditLogWriter: a stale tip). */
function isUniqueViolation(error: unknown): boolean {
  return (
    (error as { code?: string } | null)?.code === '23505' ||
    (error as { driverError?: { code?: string } } | null)?.driverError?.code === '23505'
  );
}

/**
 * Entries, the subjects they name, the Merkle nodes they complete and the new seal: one statement, whatever the
 * batch size (each column one array parameter). Row triggers and constraints apply as for separate inserts.
 */
async function writeAppend(
  db: SqlRunner,
  firstSeq: number,
  fresh: readonly PreparedEntry[],
  nodes: readonly StoredMerkleNode[],
  seal: Checkpoint,
): Promise<void> {
  const column = <T>(pick: (prepared: PreparedEntry) => T | undefined) =>
    fresh.map((prepared) => pick(prepared) ?? null);
  const subjects = fresh.flatMap((prepared, i) =>
    entrySubjects(prepared.entry).map((subject) => ({ seq: String(firstSeq + i), ...subject })),
  );
  await db.query(
    `WITH entries AS (
       INSERT INTO audit.entries
         (seq, event_id, type, at, actor_agency, actor_key_id, actor_role, actor_service,
          alert_id, version, recipient, decision, reason, entry)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[],
                            $8::text[], $9::text[], $10::int[], $11::text[], $12::text[], $13::text[], $14::text[])
     ), subjects AS (
       INSERT INTO audit.entry_subjects (seq, alert_id, version, agency, decision, reason)
       SELECT * FROM unnest($15::bigint[], $16::text[], $17::int[], $18::text[], $19::text[], $20::text[])
     ), nodes AS (
       INSERT INTO audit.merkle_nodes (level, idx, hash)
       SELECT level, idx, decode(hash, 'hex') FROM unnest($21::int[], $22::bigint[], $23::text[]) AS node(level, idx, hash)
     )
     INSERT INTO audit.tree_heads (tree_size, root_hash, signed_at, key_id, signature) VALUES ($24, $25, $26, $27, $28)`,
    [
      fresh.map((_, i) => String(firstSeq + i)),
      column((p) => p.entry.eventId),
      column((p) => p.entry.type),
      column((p) => p.atInstant),
      column((p) => p.entry.actor.agencyId),
      column((p) => p.entry.actor.keyId),
      column((p) => p.entry.actor.role),
      column((p) => p.entry.actor.service),
      column((p) => p.entry.alertId),
      column((p) => p.entry.version),
      column((p) => p.entry.recipient),
      column((p) => p.entry.decision),
      column((p) => p.entry.reason),
      column((p) => p.canonical),
      subjects.map((r) => r.seq),
      subjects.map((r) => r.alertId),
      subjects.map((r) => r.version),
      subjects.map((r) => r.agency),
      subjects.map((r) => r.decision),
      subjects.map((r) => r.reason),
      nodes.map((n) => n.level),
      nodes.map((n) => String(n.index)),
      nodes.map((n) => n.hash.toString('hex')),
      seal.treeSize,
      seal.rootHash,
      seal.timestamp,
      seal.keyId,
      seal.signature,
    ],
  );
}

/** Why an offered event was refused. Values are part of the audit contract: add, never rename. */
export enum IntegrityAlarmReason {
  /** Other content under an eventId the log already holds (existing alarms carry this text). */
  ContentMismatch = 'eventId already recorded with other content',
  /** actor.service names another service than the one whose audit topic (and so Kafka principal) wrote the event. */
  ServiceClaim = 'actor.service is not the service that wrote the event',
  /** The service that wrote the event does not own its type (FACT_OWNERS): e.g. a routing decision from the gateway. */
  NotFactOwner = 'the service that wrote the event does not own its type',
}

/** Why an event offered by its producer is refused before its eventId is even looked at, or null. */
export function refusalOf(entry: AuditEntry): IntegrityAlarmReason | null {
  if (entry.producer === undefined) return null;
  if (!isFactOwnedBy(entry.type, entry.producer)) return IntegrityAlarmReason.NotFactOwner;
  return claimsAnotherService(entry) ? IntegrityAlarmReason.ServiceClaim : null;
}

/** The metric label of an alarm's reason. */
function alarmReasonLabel(alarm: AuditEntry): string {
  return alarm.reason === IntegrityAlarmReason.ServiceClaim ? 'service_claim' : 'content_mismatch';
}

/** The event states a service as its actor, and that is not the service whose topic it came on. */
export function claimsAnotherService(entry: AuditEntry): boolean {
  return entry.producer !== undefined && entry.actor.service !== undefined && entry.actor.service !== entry.producer;
}

/**
 * The fact that an event was refused: other content under an eventId the log already holds (a forgery, or a producer
 * that re-states a fact differently), or a service claim its topic contradicts. It names the offered content's hash,
 * not the content; its own eventId is derived from that hash, so the same offer redelivered raises the alarm once.
 * Its producer is the audit log itself.
 */
export function integrityAlarm(
  offered: AuditEntry,
  reason: IntegrityAlarmReason,
  recordedSeq: number | null,
): AuditEntry {
  const offeredSha256 = createHash('sha256').update(canonicalJson(offered)).digest('hex');
  return {
    eventId: `integrity-alarm:${offeredSha256}`,
    type: AuditEventType.IntegrityAlarm,
    at: new Date().toISOString(),
    actor: { service: HubService.AuditLog },
    ...(offered.alertId ? { alertId: offered.alertId } : {}),
    reason,
    details: {
      eventId: offered.eventId,
      ...(recordedSeq === null ? {} : { recordedSeq }),
      offeredSha256,
      offeredType: offered.type,
      offeredActor: offered.actor,
      ...(offered.producer === undefined ? {} : { offeredBy: offered.producer }),
    },
    producer: HubService.AuditLog,
  };
}
