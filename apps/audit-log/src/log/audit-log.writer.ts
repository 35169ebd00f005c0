import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { createHash } from 'node:crypto';
import { AuditEventType } from '@hub/contracts/audit-event';
import { HubService } from '@hub/contracts/topics';
import { appendLeaves, canonicalJson, completeSubtreePositions, InMemoryMerkleNodeStore, readNodes, rootAt } from '@hub/merkle';
import { CheckpointKey } from '../signing/checkpoint-key';
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
 * Appends entries in one transaction: dedup by eventId, next seq numbers, the Merkle nodes they complete
 * (O(log n) per entry), and a new seal (signed tree head). Nothing else ever writes the log tables.
 */
@Injectable()
export class AuditLogWriter {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sealedTrees: SealedTreeReader,
    private readonly key: CheckpointKey,
  ) {}

  async append(entries: readonly AuditEntry[]): Promise<AppendResult[]> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(APPEND_LOCK_SQL);
      const sealed = await this.sealedTrees.newest(manager);

      const eventIds = [...new Set(entries.map((entry) => entry.eventId))];
      const recorded: { event_id: string; seq: string; entry: string }[] = await manager.query(
        `SELECT event_id, seq, entry FROM audit.entries WHERE event_id = ANY($1::text[])`,
        [eventIds],
      );
      const known = new Map(recorded.map((row) => [row.event_id, { seq: Number(row.seq), canonical: row.entry }]));
      const fresh: PreparedEntry[] = [];
      const append = (entry: AuditEntry): number => {
        const prepared = prepareEntry(entry);
        const seq = sealed.treeSize + fresh.length;
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
        // The topic says which service wrote the event; an event that claims to be another service's act is refused
        // (it never takes its eventId) and recorded as an alarm, once per distinct offered content.
        if (claimsAnotherService(entry)) {
          alarm(entry, IntegrityAlarmReason.ServiceClaim, null);
          return { eventId: entry.eventId, seq: known.get(entry.eventId)?.seq ?? null, appended: false };
        }
        const recordedEntry = known.get(entry.eventId);
        if (recordedEntry === undefined) return { eventId: entry.eventId, seq: append(entry), appended: true };
        // A redelivery states the same fact byte for byte. Different content under a recorded eventId is refused
        // (whoever wrote first keeps the id) and recorded as an alarm, once per distinct offered content.
        if (canonicalJson(entry) !== recordedEntry.canonical) alarm(entry, IntegrityAlarmReason.ContentMismatch, recordedEntry.seq);
        return { eventId: entry.eventId, seq: recordedEntry.seq, appended: false };
      });
      if (alarms.length > 0) {
        const raised: { event_id: string }[] = await manager.query(`SELECT event_id FROM audit.entries WHERE event_id = ANY($1::text[])`, [
          [...new Set(alarms.map((a) => a.eventId))],
        ]);
        const raisedBefore = new Set(raised.map((row) => row.event_id));
        for (const raisedAlarm of alarms) if (!raisedBefore.has(raisedAlarm.eventId) && !known.has(raisedAlarm.eventId)) append(raisedAlarm);
      }
      if (fresh.length === 0) return results;

      const pending = await this.extendTree(manager, sealed, fresh);
      await insertEntries(manager, sealed.treeSize, fresh);
      await insertSubjects(manager, sealed.treeSize, fresh);
      await new PostgresMerkleNodeStore(manager).insert(pending.nodes);
      const seal = this.key.sign(pending.treeSize, pending.root);
      await manager.query(
        `INSERT INTO audit.tree_heads (tree_size, root_hash, signed_at, key_id, signature) VALUES ($1, $2, $3, $4, $5)`,
        [seal.treeSize, seal.rootHash, seal.timestamp, seal.keyId, seal.signature],
      );
      return results;
    });
  }

  /**
   * Reads the frontier of the sealed tree (the complete subtrees its size decomposes into, at most log2(n)
   * nodes, in one query), checks that it still folds into the sealed root, and computes the new nodes and root.
   */
  private async extendTree(db: SqlRunner, sealed: SealedTree, fresh: readonly PreparedEntry[]) {
    const frontier = sealed.treeSize === 0 ? [] : completeSubtreePositions(0, sealed.treeSize);
    const frontierHashes = await readNodes(new PostgresMerkleNodeStore(db), frontier);
    const tree = new InMemoryMerkleNodeStore();
    tree.put(frontier.map((position, i) => ({ ...position, hash: frontierHashes[i] })));
    await this.sealedTrees.assertNodesMatch(tree, sealed);

    const nodes = await appendLeaves(tree, sealed.treeSize, fresh.map((entry) => entry.leafHash));
    tree.put(nodes);
    const treeSize = sealed.treeSize + fresh.length;
    return { nodes, treeSize, root: await rootAt(tree, treeSize) };
  }
}

async function insertEntries(db: SqlRunner, firstSeq: number, fresh: readonly PreparedEntry[]): Promise<void> {
  const column = <T>(pick: (prepared: PreparedEntry) => T | undefined) => fresh.map((prepared) => pick(prepared) ?? null);
  await db.query(
    `INSERT INTO audit.entries
       (seq, event_id, type, at, actor_agency, actor_key_id, actor_role, actor_service,
        alert_id, version, recipient, decision, reason, entry)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[],
                          $8::text[], $9::text[], $10::int[], $11::text[], $12::text[], $13::text[], $14::text[])`,
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
    ],
  );
}

async function insertSubjects(db: SqlRunner, firstSeq: number, fresh: readonly PreparedEntry[]): Promise<void> {
  const rows = fresh.flatMap((prepared, i) => entrySubjects(prepared.entry).map((subject) => ({ seq: String(firstSeq + i), ...subject })));
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO audit.entry_subjects (seq, alert_id, version, agency, decision, reason)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[])`,
    [
      rows.map((r) => r.seq),
      rows.map((r) => r.alertId),
      rows.map((r) => r.version),
      rows.map((r) => r.agency),
      rows.map((r) => r.decision),
      rows.map((r) => r.reason),
    ],
  );
}

/** Why an offered event was refused. Values are part of the audit contract: add, never rename. */
export enum IntegrityAlarmReason {
  /** Other content under an eventId the log already holds (existing alarms carry this text). */
  ContentMismatch = 'eventId already recorded with other content',
  /** actor.service names another service than the one whose audit topic (and so Kafka principal) wrote the event. */
  ServiceClaim = 'actor.service is not the service that wrote the event',
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
export function integrityAlarm(offered: AuditEntry, reason: IntegrityAlarmReason, recordedSeq: number | null): AuditEntry {
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
