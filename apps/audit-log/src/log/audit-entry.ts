import { AuditActor, AuditEvent } from '@hub/contracts/audit-event';
import { parseInstant } from '@hub/contracts/domain/instant';
import { auditEntryLeafHash, canonicalJson } from '@hub/merkle';

/**
 * What one Merkle leaf of the audit log stands for: the audit event exactly as its producer stated it, with
 * absent optional fields left out. The leaf is SHA-256(0x00 || canonicalJson(entry)) (libs/merkle audit-leaf.ts).
 *
 * The position (seq) is deliberately not part of the entry: the leaf index in the tree is the seq, and inclusion
 * proofs bind the two. An event therefore always hashes to the same leaf wherever it lands, and an entry's hash
 * can be checked against its producer's copy of the event.
 */
export interface AuditEntry {
  eventId: string;
  type: string;
  at: string;
  actor: AuditEntryActor;
  alertId?: string;
  version?: number;
  recipient?: string;
  decision?: 'delivered' | 'withheld';
  reason?: string;
  details: Record<string, unknown>;
}

export interface AuditEntryActor {
  agencyId?: string;
  keyId?: string;
  role?: string;
  service?: string;
}

/** A validated AuditEvent as a plain entry. Class instances carry undefined fields, which JSON cannot state. */
export function auditEntryOf(event: AuditEvent): AuditEntry {
  return withoutUndefined({
    eventId: event.eventId,
    type: event.type,
    at: event.at,
    actor: actorOf(event.actor),
    alertId: event.alertId,
    version: event.version,
    recipient: event.recipient,
    decision: event.decision,
    reason: event.reason,
    details: event.details,
  });
}

function actorOf(actor: AuditActor): AuditEntryActor {
  return withoutUndefined({ agencyId: actor.agencyId, keyId: actor.keyId, role: actor.role, service: actor.service });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** One entry ready to be written: its leaf bytes as text, its leaf hash, and the columns it is queried by. */
export interface PreparedEntry {
  entry: AuditEntry;
  /** canonicalJson(entry): stored as is, so the stored text is exactly what the leaf hashes. */
  canonical: string;
  leafHash: Buffer;
  /** The event time as an instant PostgreSQL can compare, or null when `at` is not a date-time with an offset. */
  atInstant: string | null;
}

export function prepareEntry(entry: AuditEntry): PreparedEntry {
  const at = parseInstant(entry.at);
  return {
    entry,
    canonical: canonicalJson(entry),
    leafHash: auditEntryLeafHash(entry),
    atInstant: at === null ? null : new Date(at).toISOString(),
  };
}
