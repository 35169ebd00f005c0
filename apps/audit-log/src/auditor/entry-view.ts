import { hashToHex } from '@hub/merkle';

/** One stored entry as read: its position, the stored leaf text, and the leaf hash kept in the Merkle tree. */
export interface StoredEntryRow {
  seq: string;
  entry: string;
  /** Level-0 node of merkle_nodes, not a copy in the entry row, so an edited row cannot bring its own hash along. */
  leaf_hash: Buffer | null;
}

/**
 * An entry as GET /v1/audit/entries, the trail and the NDJSON export serve it. Every field is read from `entry`,
 * the object the leaf hashes, so what an auditor reads is what verification covers. `entry` and `leafHash` are
 * what libs/merkle's verifier expects.
 */
export interface AuditEntryView {
  seq: number;
  at: string | null;
  type: string | null;
  actor: Record<string, unknown> | null;
  alertId: string | null;
  version: number | null;
  recipient: string | null;
  decision: string | null;
  reason: string | null;
  details: Record<string, unknown> | null;
  /** The service that wrote the event, from the Kafka topic it came on; null for entries appended before this was kept. */
  producer: string | null;
  /**
   * For a routing outcome: every candidate's decision, expanded from the one fact (or the entry's own recipient,
   * decision and reason for the per-recipient entries written before facts were recorded per outcome). Null otherwise.
   */
  decisions: RoutingDecisionView[] | null;
  entry: unknown;
  leafHash: string | null;
}

export interface RoutingDecisionView {
  recipient: string;
  decision: 'delivered' | 'withheld';
  reason: string | null;
  deliveryId: string | null;
}

export function entryView(row: StoredEntryRow): AuditEntryView {
  const entry = parseStoredEntry(row.entry);
  const fields =
    typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? (entry as Record<string, unknown>) : {};
  return {
    seq: Number(row.seq),
    at: stringOrNull(fields.at),
    type: stringOrNull(fields.type),
    actor: objectOrNull(fields.actor),
    alertId: stringOrNull(fields.alertId),
    version: typeof fields.version === 'number' ? fields.version : null,
    recipient: stringOrNull(fields.recipient),
    decision: stringOrNull(fields.decision),
    reason: stringOrNull(fields.reason),
    details: objectOrNull(fields.details),
    producer: stringOrNull(fields.producer),
    decisions: routingDecisions(fields),
    entry,
    leafHash: row.leaf_hash ? hashToHex(row.leaf_hash) : null,
  };
}

/**
 * A stored entry that no longer parses (someone edited the row) is served as the raw text: the verifier then
 * hashes that string, finds it does not match the leaf, and names the entry, instead of the page failing.
 */
function parseStoredEntry(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function objectOrNull(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

export const CSV_COLUMNS = [
  'seq',
  'at',
  'type',
  'actor_agency',
  'actor_key_id',
  'actor_role',
  'actor_service',
  'alert_id',
  'version',
  'recipient',
  'decision',
  'reason',
  'details',
  'entry',
  'leaf_hash',
  'producer',
] as const;

/** RFC 4180. `entry` is the stored leaf text byte for byte, so SHA-256(0x00 || entry) = leaf_hash. */
export function csvRow(row: StoredEntryRow): string {
  const view = entryView(row);
  const actor = view.actor ?? {};
  const values: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    seq: view.seq,
    at: view.at,
    type: view.type,
    actor_agency: actor.agencyId,
    actor_key_id: actor.keyId,
    actor_role: actor.role,
    actor_service: actor.service,
    alert_id: view.alertId,
    version: view.version,
    recipient: view.recipient,
    decision: view.decision,
    reason: view.reason,
    details: view.details === null ? null : JSON.stringify(view.details),
    entry: row.entry,
    leaf_hash: view.leafHash,
    producer: view.producer,
  };
  return CSV_COLUMNS.map((column) => csvField(values[column])).join(',') + '\r\n';
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\r\n';
}

/**
 * One RFC 4180 field. A cell a spreadsheet would run as a formula (it starts with =, +, -, @, tab or carriage return:
 * a cancel reason is free text) gets a leading apostrophe, OWASP's advice for CSV injection; auditors verify from the
 * `leaves` export, never from CSV.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const raw = String(value);
  const text = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function routingDecisions(fields: Record<string, unknown>): RoutingDecisionView[] | null {
  if (fields.type !== 'routing.decided') return null;
  const details = objectOrNull(fields.details) ?? {};
  if (!Array.isArray(details.delivered) && !Array.isArray(details.withheld)) {
    const recipient = stringOrNull(fields.recipient);
    const decision = fields.decision === 'delivered' || fields.decision === 'withheld' ? fields.decision : null;
    return recipient && decision
      ? [{ recipient, decision, reason: stringOrNull(fields.reason), deliveryId: stringOrNull(details.deliveryId) }]
      : [];
  }
  const views: RoutingDecisionView[] = [];
  for (const item of Array.isArray(details.delivered) ? details.delivered : []) {
    const d = objectOrNull(item);
    const recipient = d && stringOrNull(d.recipient);
    if (d && recipient)
      views.push({
        recipient,
        decision: 'delivered',
        reason: stringOrNull(d.reason),
        deliveryId: stringOrNull(d.deliveryId),
      });
  }
  for (const item of Array.isArray(details.withheld) ? details.withheld : []) {
    const group = objectOrNull(item);
    if (!group || !Array.isArray(group.agencies)) continue;
    for (const agency of group.agencies) {
      const recipient = stringOrNull(agency);
      if (recipient)
        views.push({ recipient, decision: 'withheld', reason: stringOrNull(group.reason), deliveryId: null });
    }
  }
  return views;
}
