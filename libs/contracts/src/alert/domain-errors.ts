import { calendarDateStart, parseInstant } from '../domain/instant';
import { AlertContent, Distribution } from './alert-content';
import { TlpLevel } from './enums';
import { FieldError } from './field-error';
import { requiresExplicitRecipients } from './tlp';

/** The parts of an alert the rules below read; a validated AlertContent (or a plain object of that shape). */
export type DistributionRulesInput = Pick<AlertContent, 'tlp'> & {
  distribution: Pick<Distribution, 'scope' | 'recipients' | 'sharingGroups' | 'rooms'>;
};

/**
 * TLP and scope rules. They need no reference data, so the gateway applies them before looking anything up,
 * and the node re-derives the same outcome per recipient (RoutingPolicy).
 * - RED and AMBER+STRICT: scope restricted, at least one explicit recipient, no sharing groups.
 *   PRODUCT.md forbids groups only for RED; AMBER+STRICT content is routed to explicit recipients only, so a
 *   group on it would be silently ignored — rejecting it tells the sender instead.
 * - regional: reaches every active agency, so listing recipients or groups is a contradiction, not a hint.
 * - restricted: must name at least one recipient or group, or it reaches nobody.
 */
export function distributionRuleErrors(content: DistributionRulesInput): FieldError[] {
  const { tlp, distribution } = content;
  const errors: FieldError[] = [];
  if (distribution.scope === 'regional') {
    if (requiresExplicitRecipients(tlp)) {
      errors.push({ path: 'distribution.scope', message: `must be restricted for TLP ${tlp}` });
    }
    if (distribution.recipients.length > 0) {
      errors.push({
        path: 'distribution.recipients',
        message: 'must be empty when scope is regional (regional reaches every active agency)',
      });
    }
    if (distribution.sharingGroups.length > 0) {
      errors.push({
        path: 'distribution.sharingGroups',
        message: 'must be empty when scope is regional (regional reaches every active agency)',
      });
    }
    if ((distribution.rooms ?? []).length > 0) {
      errors.push({
        path: 'distribution.rooms',
        message: 'must be empty when scope is regional (a room restricts who receives the alert)',
      });
    }
    return errors;
  }
  if (requiresExplicitRecipients(tlp)) {
    if (distribution.recipients.length === 0) {
      errors.push({ path: 'distribution.recipients', message: `must name at least one agency for TLP ${tlp}` });
    }
    if (distribution.sharingGroups.length > 0) {
      errors.push({ path: 'distribution.sharingGroups', message: sharingGroupsForbiddenMessage(tlp) });
    }
    // A room is treated like a sharing group: not for RED, and AMBER+STRICT reaches explicit recipients only.
    if ((distribution.rooms ?? []).length > 0) {
      errors.push({ path: 'distribution.rooms', message: sharingGroupsForbiddenMessage(tlp) });
    }
  } else if (
    distribution.recipients.length === 0 &&
    distribution.sharingGroups.length === 0 &&
    (distribution.rooms ?? []).length === 0
  ) {
    errors.push({
      path: 'distribution.recipients',
      message: 'restricted scope needs at least one recipient or sharing group',
    });
  }
  return errors;
}

function sharingGroupsForbiddenMessage(tlp: TlpLevel): string {
  return tlp === 'RED'
    ? 'must be empty for TLP RED (RED goes to named recipients only)'
    : `must be empty for TLP ${tlp} (it goes to explicit recipients only)`;
}

const SUBJECT_TYPES_NEEDING_EXPIRY = new Set(['person', 'vehicle']);

/**
 * Rules that need the time of submission but no reference data. Apply them when an agency submits or
 * updates; never when re-reading a stored or consumed message, which is allowed to have expired since.
 * Includes the TLP and scope rules (distributionRuleErrors).
 */
export function domainErrors(content: AlertContent, now: Date): FieldError[] {
  return [...contentRuleErrors(content, now), ...distributionRuleErrors(content)];
}

/** domainErrors without the distribution rules: expiry, handling conditions, dates of birth. */
export function contentRuleErrors(content: AlertContent, now: Date): FieldError[] {
  const errors: FieldError[] = [];
  const nowMs = now.getTime();

  const needsExpiry = content.subjects.some((subject) => SUBJECT_TYPES_NEEDING_EXPIRY.has(subject.type));
  if (content.expiresAt === undefined) {
    if (needsExpiry) {
      errors.push({ path: 'expiresAt', message: 'is required when subjects include a person or a vehicle' });
    }
  } else {
    const expiresAtMs = parseInstant(content.expiresAt);
    if (expiresAtMs === null) {
      errors.push({ path: 'expiresAt', message: 'must be an ISO 8601 date-time with a time zone offset' });
    } else if (expiresAtMs <= nowMs) {
      errors.push({ path: 'expiresAt', message: 'must be in the future' });
    }
  }

  if (content.handlingCode === 'H3' && content.handlingConditions === undefined) {
    errors.push({ path: 'handlingConditions', message: 'is required when handlingCode is H3' });
  }
  if (content.handlingCode !== 'H3' && content.handlingConditions !== undefined) {
    // Conditions under another code would look binding to the recipient while the code says otherwise.
    errors.push({ path: 'handlingConditions', message: 'is only allowed with handlingCode H3' });
  }

  content.subjects.forEach((subject, index) => {
    if (subject.type !== 'person' || subject.dateOfBirth === undefined) return;
    const bornMs = calendarDateStart(subject.dateOfBirth);
    if (bornMs !== null && bornMs > nowMs) {
      errors.push({ path: `subjects[${index}].dateOfBirth`, message: 'must not be in the future' });
    }
  });

  return errors;
}
