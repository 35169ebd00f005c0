import { TLP_LEVELS, TlpLevel } from '@hub/contracts/alert/enums';
import { requiresExplicitRecipients } from '@hub/contracts/alert/tlp';

/**
 * Whether the regional centre's analysts must see an alert as metadata only: RED and AMBER+STRICT content is
 * for the agencies the sender named one by one, so unless the centre is one of them its analysts see who sent
 * what category to whom, and when — never the content. An unreadable TLP counts as restricted (fail closed).
 * Only explicit recipients count: RED may not use sharing groups, and AMBER+STRICT is never delivered through one.
 */
export function isWithheldFromCentre(tlp: unknown, recipients: readonly unknown[], regionalCentreId: string): boolean {
  if (!isTlpLevel(tlp)) return true;
  if (!requiresExplicitRecipients(tlp)) return false;
  return !recipients.includes(regionalCentreId);
}

/** TLP levels whose content is never shown to an agency (or the centre) the sender did not name. */
export function isTlpRestricted(tlp: unknown): boolean {
  return !isTlpLevel(tlp) || requiresExplicitRecipients(tlp);
}

export function isTlpLevel(value: unknown): value is TlpLevel {
  return typeof value === 'string' && (TLP_LEVELS as readonly string[]).includes(value);
}
