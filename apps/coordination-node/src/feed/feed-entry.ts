import { ALERT_CATEGORIES } from '@hub/contracts/alert/enums';
import { AuditEvent, AuditEventType } from '@hub/contracts/audit-event';
import { CorrelationNotice, renderNotice } from '../correlation/correlation-record';
import { Identifier, IDENTIFIER_KINDS, IdentifierKind } from '@hub/contracts/domain/identifiers';
import { isTlpLevel, isWithheldFromCentre } from './centre-visibility';

/** The audit event types that are exchange events, shown in the analysts' feed. Everything else is skipped. */
export const FEED_EVENT_TYPES: ReadonlySet<AuditEventType> = new Set([
  AuditEventType.AlertSubmitted,
  AuditEventType.RoutingDecided,
  AuditEventType.AlertDelivered,
  AuditEventType.AlertAcked,
  AuditEventType.AlertUpdated,
  AuditEventType.AlertCancelled,
  AuditEventType.CorrelationFound,
]);

/**
 * What the feed remembers about an alert, from its latest alert.submitted / alert.updated event. It holds no
 * content of an alert withheld from the centre: `headline` is null then (the table has a CHECK for it).
 */
export interface FeedAlertClassification {
  alertId: string;
  sender: string;
  version: number;
  category: string | null;
  tlp: string | null;
  recipients: string[];
  withheldFromCentre: boolean;
  headline: string | null;
}

/**
 * The content fields an analyst may see for an alert that is not withheld. A whitelist, so that a field added
 * to the contract later is not shown before someone decides it may be.
 */
const VISIBLE_CONTENT_FIELDS = [
  'status',
  'category',
  'urgency',
  'severity',
  'certainty',
  'headline',
  'description',
  'tlp',
  'handlingCode',
  'handlingConditions',
  'evaluation',
  'distribution',
  'location',
  'subjects',
  'expiresAt',
  'references',
] as const;

export type VisibleAlertContent = Partial<Record<(typeof VISIBLE_CONTENT_FIELDS)[number], unknown>>;

export interface FeedCorrelation {
  correlationId: string | null;
  /** null when an alert involved is withheld from the centre */
  identifier: Identifier | null;
  alerts: { alertId: string; agencyId: string }[];
  agencies: string[];
  restricted: boolean;
  notices: (CorrelationNotice & { text: string })[];
}

/** One feed event as stored and served (the cursor is added when served). */
export interface FeedEntryBody {
  eventId: string;
  type: AuditEventType;
  at: string;
  alertId: string | null;
  version: number | null;
  actor: { agencyId: string | null; role: string | null; service: string | null };
  sender: string | null;
  /** routing decision, delivery or ack: the agency concerned */
  recipient: string | null;
  /** submission or update: the agencies the sender named */
  recipients: string[] | null;
  category: string | null;
  tlp: string | null;
  /** true when the alert's content is withheld from the centre (or not known to the feed yet) */
  redacted: boolean;
  kind?: string;
  decision?: 'delivered' | 'withheld';
  reason?: string;
  alert?: VisibleAlertContent;
  /**
   * note: from facts written before notes were committed to; noteCommitment: the note is kept by the gateway, the
   * fact holds only its salted commitment (the dashboard says "note withheld").
   */
  ack?: { status: string | null; note?: string | null; noteCommitment?: string };
  cancelReason?: string;
  correlation?: FeedCorrelation;
  /** the alert's content was erased (on request or at the end of its retention): shown as metadata only */
  erased?: true;
  /** a later version no longer names the centre (RED, AMBER+STRICT): what it could see is withdrawn, metadata only */
  withdrawn?: true;
}

export interface FeedEntry extends FeedEntryBody {
  cursor: string;
}

export function isFeedEvent(event: AuditEvent): boolean {
  return FEED_EVENT_TYPES.has(event.type);
}

/**
 * The classification after an alert.submitted or alert.updated event, read defensively from details.classification
 * (facts since content commitments) or details.content (facts written before; audit details are free-form).
 * Anything unreadable classifies as withheld: the analyst sees less, never more.
 */
export function classifyAlertEvent(
  event: AuditEvent,
  previous: FeedAlertClassification | null,
  regionalCentreId: string,
): FeedAlertClassification | null {
  if (!event.alertId || (event.type !== AuditEventType.AlertSubmitted && event.type !== AuditEventType.AlertUpdated))
    return previous;
  const classified = asRecord(event.details?.classification);
  const content = asRecord(event.details?.content);
  if (classified)
    return classification(
      event,
      previous,
      regionalCentreId,
      classified.tlp,
      stringList(classified.recipients),
      classified.category,
      undefined,
    );
  return classification(
    event,
    previous,
    regionalCentreId,
    content?.tlp,
    stringList(asRecord(content?.distribution)?.recipients),
    content?.category,
    content?.headline,
  );
}

function classification(
  event: AuditEvent,
  previous: FeedAlertClassification | null,
  regionalCentreId: string,
  tlpValue: unknown,
  recipients: string[],
  categoryValue: unknown,
  headlineValue: unknown,
): FeedAlertClassification {
  const tlp = isTlpLevel(tlpValue) ? tlpValue : null;
  const withheldFromCentre = isWithheldFromCentre(tlp, recipients, regionalCentreId);
  const category =
    typeof categoryValue === 'string' && (ALERT_CATEGORIES as readonly string[]).includes(categoryValue)
      ? categoryValue
      : null;
  const headline = !withheldFromCentre && typeof headlineValue === 'string' ? headlineValue : null;
  return {
    alertId: event.alertId as string,
    sender: event.actor.agencyId ?? previous?.sender ?? 'unknown',
    version: event.version ?? previous?.version ?? 1,
    category,
    tlp,
    recipients,
    withheldFromCentre,
    headline,
  };
}

/**
 * Turns an exchange audit event into the feed entry analysts see. `alert` is the classification after this
 * event; `related` holds the classifications of the alerts a correlation names. Content leaves this function
 * only for an alert the centre may see; for any other it is reduced to sender, recipients, category, TLP and time.
 */
export function buildFeedEntry(
  event: AuditEvent,
  alert: FeedAlertClassification | null,
  related: ReadonlyMap<string, FeedAlertClassification> = new Map(),
): FeedEntryBody {
  const details = event.details ?? {};
  const redacted = alert ? alert.withheldFromCentre : true;
  const entry: FeedEntryBody = {
    eventId: event.eventId,
    type: event.type,
    at: event.at,
    alertId: event.alertId ?? null,
    version: event.version ?? null,
    actor: {
      agencyId: event.actor.agencyId ?? null,
      role: event.actor.role ?? null,
      service: event.actor.service ?? null,
    },
    sender: alert?.sender ?? null,
    recipient: null,
    recipients: null,
    category: alert?.category ?? null,
    tlp: alert?.tlp ?? null,
    redacted,
  };

  switch (event.type) {
    case AuditEventType.AlertSubmitted:
    case AuditEventType.AlertUpdated: {
      entry.sender = event.actor.agencyId ?? entry.sender;
      entry.recipients = alert?.recipients ?? [];
      const content = asRecord(details.content);
      if (!redacted && content) entry.alert = visibleContent(content);
      break;
    }
    case AuditEventType.AlertCancelled:
      entry.sender = event.actor.agencyId ?? entry.sender;
      // The reason is the sender's free text about the alert: content, shown only when the alert is.
      if (!redacted && event.reason) entry.cancelReason = event.reason;
      break;
    case AuditEventType.RoutingDecided:
    case AuditEventType.AlertDelivered:
      // A routing outcome names every candidate; a delivery (and a per-recipient decision written before facts
      // were recorded per outcome) names one recipient.
      if (
        event.type === AuditEventType.RoutingDecided &&
        (Array.isArray(details.delivered) || Array.isArray(details.withheld))
      ) {
        describeRoutingOutcome(entry, details);
        break;
      }
      entry.sender = stringOrNull(details.sender) ?? entry.sender;
      entry.recipient = event.recipient ?? null;
      if (typeof details.kind === 'string') entry.kind = details.kind;
      if (event.decision) entry.decision = event.decision;
      if (event.reason) entry.reason = event.reason;
      break;
    case AuditEventType.AlertAcked: {
      entry.recipient = event.actor.agencyId ?? null;
      const status = stringOrNull(details.status) ?? event.reason ?? null;
      const noteCommitment = stringOrNull(asRecord(details.noteCommitment)?.hash);
      if (redacted) entry.ack = { status };
      else entry.ack = noteCommitment ? { status, noteCommitment } : { status, note: stringOrNull(details.note) };
      break;
    }
    case AuditEventType.CorrelationFound:
      entry.correlation = feedCorrelation(details, related);
      // A correlation is its own fact: redacted means its identifier is withheld, whatever the triggering alert.
      entry.redacted = entry.correlation.identifier === null;
      break;
    default:
      break;
  }
  return entry;
}

/**
 * A routing outcome (one fact per version): the recipients it was delivered to, and a summary of the decisions by
 * reason ("ADDRESSED ×2 · withheld: NOT_ADDRESSED ×5"). Agency ids and reasons are metadata, never content.
 */
function describeRoutingOutcome(entry: FeedEntryBody, details: Record<string, unknown>): void {
  const delivered = (Array.isArray(details.delivered) ? details.delivered : [])
    .map(asRecord)
    .filter((d): d is Record<string, unknown> => d !== null);
  const withheld = (Array.isArray(details.withheld) ? details.withheld : [])
    .map(asRecord)
    .filter((w): w is Record<string, unknown> => w !== null);
  entry.sender = stringOrNull(details.sender) ?? entry.sender;
  if (typeof details.kind === 'string') entry.kind = details.kind;
  entry.recipients = delivered.map((d) => stringOrNull(d.recipient)).filter((r): r is string => r !== null);
  entry.decision = entry.recipients.length > 0 ? 'delivered' : 'withheld';
  const count = (reasons: (string | null)[]) => {
    const counts = new Map<string, number>();
    for (const reason of reasons) if (reason) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    return [...counts].map(([reason, n]) => `${reason} ×${n}`).join(', ');
  };
  const deliveredSummary = count(delivered.map((d) => stringOrNull(d.reason)));
  const withheldSummary = withheld
    .map((w) => `${stringOrNull(w.reason) ?? '?'} ×${Array.isArray(w.agencies) ? w.agencies.length : 0}`)
    .join(', ');
  entry.reason = [deliveredSummary, withheldSummary ? `withheld: ${withheldSummary}` : ''].filter(Boolean).join(' · ');
}

function feedCorrelation(
  details: Record<string, unknown>,
  related: ReadonlyMap<string, FeedAlertClassification>,
): FeedCorrelation {
  const alerts = (Array.isArray(details.alerts) ? details.alerts : [])
    .map(asRecord)
    .filter(
      (a): a is Record<string, unknown> =>
        a !== null && typeof a.alertId === 'string' && typeof a.agencyId === 'string',
    )
    .map((a) => ({ alertId: a.alertId as string, agencyId: a.agencyId as string }));
  // Withheld unless the node said explicitly it is not, or when the feed itself knows an involved alert is.
  const withheld =
    details.withheldFromCentre !== false || alerts.some((a) => related.get(a.alertId)?.withheldFromCentre === true);
  const identifier = withheld ? null : readIdentifier(details.identifier);
  const notices = (Array.isArray(details.notices) ? details.notices : []).map(asRecord).flatMap((n) => {
    if (!n || typeof n.agencyId !== 'string' || typeof n.alertId !== 'string' || typeof n.otherAgencyId !== 'string')
      return [];
    const notice: CorrelationNotice = {
      agencyId: n.agencyId,
      alertId: n.alertId,
      otherAgencyId: n.otherAgencyId,
      otherAlertIds: stringList(n.otherAlertIds),
      restricted: n.restricted !== false,
    };
    // Re-rendered rather than copied, so that a withheld identifier cannot ride along inside a sentence.
    return [{ ...notice, text: renderNotice(notice, identifier) }];
  });
  return {
    correlationId: stringOrNull(details.correlationId),
    identifier,
    alerts,
    agencies: stringList(details.agencies),
    restricted: details.restricted !== false,
    notices,
  };
}

/** An alert version's content as the node stored it (coordination.alert_contents), null when it has none (erased). */
export interface StoredContent {
  content: Record<string, unknown>;
  cancelReason: string | null;
}

/**
 * A stored feed entry as served: audit facts carry only commitments, so the content of a submission, update or
 * cancel comes from the node's own copy, and only for an alert the centre may see. An erased alert's entries carry
 * nothing of its content (entries stored before the change held it; it is left out here too), nor do those of an
 * alert whose newest version no longer names the centre (`withdrawnFromCentre`).
 */
const CONTENT_ENTRY_TYPES: ReadonlySet<string> = new Set([
  AuditEventType.AlertSubmitted,
  AuditEventType.AlertUpdated,
  AuditEventType.AlertCancelled,
]);

export function withStoredContent(
  entry: FeedEntryBody,
  stored: StoredContent | null,
  erased: boolean,
  withdrawnFromCentre = false,
): FeedEntryBody {
  if (erased) {
    const { alert: _alert, cancelReason: _reason, ...rest } = entry;
    const ack = rest.ack ? { status: rest.ack.status } : undefined;
    return { ...rest, ...(ack ? { ack } : {}), erased: true };
  }
  // The alert's newest version withholds it from the centre (a recall): withdrawn means gone, in the feed too, whatever
  // the centre could see when the entry was stored (entries are stored once, shown many times).
  if (withdrawnFromCentre && !entry.redacted && CONTENT_ENTRY_TYPES.has(entry.type)) {
    const { alert: _alert, cancelReason: _reason, ...rest } = entry;
    return { ...rest, withdrawn: true };
  }
  if (entry.redacted || !stored) return entry;
  if ((entry.type === AuditEventType.AlertSubmitted || entry.type === AuditEventType.AlertUpdated) && !entry.alert) {
    return { ...entry, alert: visibleContent(stored.content) };
  }
  if (entry.type === AuditEventType.AlertCancelled && !entry.cancelReason && stored.cancelReason)
    return { ...entry, cancelReason: stored.cancelReason };
  return entry;
}

function readIdentifier(value: unknown): Identifier | null {
  const record = asRecord(value);
  if (
    !record ||
    typeof record.key !== 'string' ||
    !(IDENTIFIER_KINDS as readonly string[]).includes(record.kind as string)
  )
    return null;
  return { kind: record.kind as IdentifierKind, key: record.key };
}

function visibleContent(content: Record<string, unknown>): VisibleAlertContent {
  const visible: VisibleAlertContent = {};
  for (const field of VISIBLE_CONTENT_FIELDS) if (content[field] !== undefined) visible[field] = content[field];
  return visible;
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
