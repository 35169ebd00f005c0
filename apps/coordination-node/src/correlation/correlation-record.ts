import { identifierKeyHash } from '@hub/merkle/content-commitment';
import { createHash } from 'node:crypto';
import { isTlpRestricted, isWithheldFromCentre } from '../feed/centre-visibility';
import { Identifier, IDENTIFIER_LABELS } from '@hub/contracts/domain/identifiers';
import { MatchNoticeMessage } from '@hub/contracts/messages';

/** What correlation needs to know about one alert: its owner and who may see it. */
export interface CorrelatedAlert {
  alertId: string;
  agencyId: string;
  tlp: string;
  /** distribution.recipients of its latest version */
  recipients: readonly string[];
}

/**
 * What one owner is told. Restricted: only that a match exists and which agency to ask — not the other alert's
 * id, not the identifier, nothing of its content.
 */
export interface CorrelationNotice {
  /** the agency told */
  agencyId: string;
  /** its own alert that matched */
  alertId: string;
  /** the agency to contact */
  otherAgencyId: string;
  /** the other agency's matching alerts; empty when this agency may not see them */
  otherAlertIds: string[];
  restricted: boolean;
}

export interface CorrelationRecord {
  correlationId: string;
  identifier: Identifier;
  /** the alert whose arrival found the match first, then the earlier alerts of other agencies */
  alerts: { alertId: string; agencyId: string }[];
  agencies: string[];
  /** some owner may not see the other side: at least one notice is restricted */
  restricted: boolean;
  /** some alert involved is metadata-only for the centre's analysts: they must not see the identifier either */
  withheldFromCentre: boolean;
  notices: CorrelationNotice[];
}

export interface CorrelationInput {
  identifier: Identifier;
  /** the alert version being indexed */
  trigger: CorrelatedAlert;
  /** earlier alerts carrying the same identifier */
  matches: readonly CorrelatedAlert[];
  /** whether `agencyId` currently holds `alertId` (its latest routing decision delivered content to it) */
  holds: (alertId: string, agencyId: string) => boolean;
  regionalCentreId: string;
  /** IDENTIFIER_HASH_KEY: the correlation id is derived from the identifier's keyed hash, never from the identifier */
  identifierHashKey?: string;
}

/**
 * Decides whether an identifier shared by several alerts is a correlation, and what each owner may be told.
 * Matches within one agency are not correlations (an agency already knows its own alerts). An owner may learn
 * which alert of the other agency matched only when it already holds that alert and neither alert is RED or
 * AMBER+STRICT; otherwise it learns only that a match exists and whom to contact.
 */
export function describeCorrelation(input: CorrelationInput): CorrelationRecord | null {
  const { trigger, identifier } = input;
  const matches = input.matches.filter(
    (match) => match.agencyId !== trigger.agencyId && match.alertId !== trigger.alertId,
  );
  if (matches.length === 0) return null;

  const restrictedFor = (own: CorrelatedAlert, other: CorrelatedAlert) =>
    isTlpRestricted(own.tlp) || isTlpRestricted(other.tlp) || !input.holds(other.alertId, own.agencyId);

  const notices: CorrelationNotice[] = [];
  const byAgency = new Map<string, CorrelatedAlert[]>();
  for (const match of matches) byAgency.set(match.agencyId, [...(byAgency.get(match.agencyId) ?? []), match]);
  for (const [otherAgencyId, theirs] of byAgency) {
    const restricted = theirs.some((other) => restrictedFor(trigger, other));
    notices.push({
      agencyId: trigger.agencyId,
      alertId: trigger.alertId,
      otherAgencyId,
      otherAlertIds: restricted ? [] : theirs.map((a) => a.alertId),
      restricted,
    });
  }
  for (const match of matches) {
    const restricted = restrictedFor(match, trigger);
    notices.push({
      agencyId: match.agencyId,
      alertId: match.alertId,
      otherAgencyId: trigger.agencyId,
      otherAlertIds: restricted ? [] : [trigger.alertId],
      restricted,
    });
  }

  const involved = [trigger, ...matches];
  return {
    correlationId: correlationIdFor(trigger.alertId, identifier, input.identifierHashKey),
    identifier,
    alerts: involved.map((alert) => ({ alertId: alert.alertId, agencyId: alert.agencyId })),
    agencies: [...new Set(involved.map((alert) => alert.agencyId))],
    restricted: notices.some((notice) => notice.restricted),
    withheldFromCentre: involved.some((alert) =>
      isWithheldFromCentre(alert.tlp, alert.recipients, input.regionalCentreId),
    ),
    notices,
  };
}

/**
 * The sentence an owner reads. `identifier` is null when the reader may not see it (the centre's analysts for a
 * correlation involving content withheld from them); a restricted notice never names it anyway.
 */
export function renderNotice(notice: CorrelationNotice, identifier: Identifier | null): string {
  if (notice.restricted || notice.otherAlertIds.length === 0) {
    return `Your alert ${notice.alertId} matches an alert of ${notice.otherAgencyId} that is not shared with you. Contact ${notice.otherAgencyId}.`;
  }
  const which =
    notice.otherAlertIds.length === 1
      ? `alert ${notice.otherAlertIds[0]}`
      : `alerts ${notice.otherAlertIds.join(', ')}`;
  // A person is stored as a keyed hash: the owner is told that name and date of birth match, never the hash.
  const on = !identifier
    ? ''
    : identifier.kind === 'person-name'
      ? ' on a person (same name across alphabets, same date of birth)'
      : ` on ${IDENTIFIER_LABELS[identifier.kind]} ${identifier.key}`;
  return `Your alert ${notice.alertId} matches ${which} of ${notice.otherAgencyId}${on}.`;
}

/** Deterministic, so that a retried transaction records (and audits) the same correlation, not a second one. */
export function correlationIdFor(alertId: string, identifier: Identifier, identifierHashKey?: string): string {
  // The id is in the audit log, which outlives the content: with a key, it does not let anyone test a guessed number.
  const key = identifierHashKey
    ? identifierKeyHash(identifierHashKey, identifier.kind, identifier.key)
    : identifier.key;
  return nameBasedUuid(`correlation\n${alertId}\n${identifier.kind}\n${key}`);
}

/** Deterministic: a retried transaction or a redelivered message produces the same notice, which the inbox stores once. */
export function matchNoticeIdFor(
  correlationId: string,
  notice: Pick<CorrelationNotice, 'agencyId' | 'alertId' | 'otherAgencyId'>,
): string {
  return nameBasedUuid(
    `match-notice\n${correlationId}\n${notice.agencyId}\n${notice.alertId}\n${notice.otherAgencyId}`,
  );
}

/**
 * The inbox notices of a correlation, one per notice of the record, each with exactly the text the record decides
 * for its owner (the same text the correlation.found audit event holds). A restricted notice carries no other alert id.
 */
export function matchNoticesOf(
  record: CorrelationRecord,
  versionOf: (alertId: string) => number,
  foundAt: string,
): MatchNoticeMessage[] {
  return record.notices.map((notice) => ({
    noticeId: matchNoticeIdFor(record.correlationId, notice),
    correlationId: record.correlationId,
    recipient: notice.agencyId,
    alertId: notice.alertId,
    version: versionOf(notice.alertId),
    otherAgencyId: notice.otherAgencyId,
    otherAlertIds: notice.restricted ? [] : notice.otherAlertIds,
    restricted: notice.restricted || notice.otherAlertIds.length === 0,
    text: renderNotice(notice, record.identifier),
    foundAt,
  }));
}

/** Shaped as an RFC 4122 version-5-style UUID (name-based, SHA hash). */
function nameBasedUuid(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
