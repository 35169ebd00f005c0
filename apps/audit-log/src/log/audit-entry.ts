import { AuditActor, AuditEvent } from '@hub/contracts/audit-event';
import { parseInstant } from '@hub/contracts/domain/instant';
import { auditEntryLeafHash, canonicalJson } from '@hub/merkle';

/**
 * What one Merkle leaf of the audit log stands for: the audit event exactly as its producer stated it, with
 * absent optional fields left out, and `producer`: the service that wrote it, known from the topic it came on (only
 * that service's Kafka principal may write it), never from the event's own `actor.service`. Entries appended before
 * `producer` existed simply lack it, and hash as they always did. The leaf is SHA-256(0x00 || canonicalJson(entry))
 * (libs/merkle audit-leaf.ts).
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
  /** The service whose audit topic the event was consumed from (or the audit log, for its own alarms). */
  producer?: string;
}

export interface AuditEntryActor {
  agencyId?: string;
  keyId?: string;
  role?: string;
  service?: string;
}

/**
 * A validated AuditEvent as a plain entry, written by `producer`. Class instances carry undefined fields, which JSON
 * cannot state.
 */
export function auditEntryOf(event: AuditEvent, producer: string): AuditEntry {
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
    producer,
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

/** An alert version or agency that a fact names besides its own alertId/recipient (indexed in entry_subjects). */
export interface EntrySubject {
  alertId: string | null;
  version: number | null;
  agency: string | null;
  decision: string | null;
  reason: string | null;
}

/** More than any one fact legitimately names (an inbox page holds at most 500 items; agencies are far fewer). */
const MAX_SUBJECTS_PER_ENTRY = 5000;

/**
 * What a fact names in its details, read defensively (details are free-form): the versions an inbox page or stream
 * batch showed (`items`), and the candidates of a routing outcome (`delivered`, `withheld` grouped by reason).
 */
export function entrySubjects(entry: AuditEntry): EntrySubject[] {
  const subjects: EntrySubject[] = [];
  const details = entry.details ?? {};
  const text = (value: unknown) =>
    typeof value === 'string' && value.length > 0 && value.length <= 200 ? value : null;
  const int = (value: unknown) => (Number.isInteger(value) ? (value as number) : null);
  for (const item of records(details.items)) {
    subjects.push({
      alertId: text(item.alertId) ?? roomSubject(item.roomId),
      version: int(item.version),
      agency: entry.actor.agencyId ?? null,
      decision: null,
      reason: null,
    });
  }
  const alertId = entry.alertId ?? null;
  const version = entry.version ?? null;
  for (const delivered of records(details.delivered)) {
    subjects.push({
      alertId,
      version,
      agency: text(delivered.recipient),
      decision: 'delivered',
      reason: text(delivered.reason),
    });
  }
  for (const group of records(details.withheld)) {
    const agencies = Array.isArray(group.agencies) ? group.agencies : [];
    for (const agency of agencies)
      subjects.push({ alertId, version, agency: text(agency), decision: 'withheld', reason: text(group.reason) });
  }
  // An operation room's facts: its trail is found under `room:<roomId>` (never a UUID alertId), with the members named.
  const room = entry.type.startsWith('room.') ? roomSubject(details.roomId) : null;
  if (room !== null) {
    subjects.push({ alertId: room, version: null, agency: entry.actor.agencyId ?? null, decision: null, reason: null });
    const named = [
      ...records(details.recipients).map((r) => r.recipient),
      ...(Array.isArray(details.members) ? details.members : []),
    ];
    for (const agency of named)
      subjects.push({ alertId: room, version: null, agency: text(agency), decision: null, reason: null });
  }
  return subjects.filter((s) => s.alertId !== null || s.agency !== null).slice(0, MAX_SUBJECTS_PER_ENTRY);
}

/** The key under which an operation room's facts are indexed (entry_subjects.alert_id): `room:<roomId>`. */
export function roomSubject(roomId: unknown): string | null {
  return typeof roomId === 'string' && /^[0-9a-f-]{36}$/i.test(roomId) ? `room:${roomId.toLowerCase()}` : null;
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v))
    : [];
}
