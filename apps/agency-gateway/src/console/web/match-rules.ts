/**
 * The rules of match.ts that need no page: what the hub's notice sentence names, and whether the reader's inbox
 * still holds another alert's content. Unit-tested in Node (match.spec.ts).
 */
import type { IdentifierKind } from './text-en';
import type { InboxItem } from './types';

/** The hub's English labels of identifier kinds, as its notice sentence writes them (libs/contracts identifiers.ts). */
const HUB_LABELS: Record<string, IdentifierKind> = {
  container: 'container',
  'vehicle plate': 'vehicle-plate',
  VIN: 'vehicle-vin',
  'travel document': 'person-document',
  'phone number': 'phone',
  vessel: 'vessel-imo',
};

/**
 * "… of KG-DCS on container CSQU3054383." → the kind and the key; a person (named by the hub only as "a person",
 * never by the name: decision 017) → kind person-name with an empty key; null for any other sentence.
 */
export function identifierOf(text: string): { kind: IdentifierKind; key: string } | null {
  if (/ on a person \([^)]*\)\.$/.test(text)) return { kind: 'person-name', key: '' };
  const found = / on (container|vehicle plate|VIN|travel document|phone number|vessel) (\S+)\.$/.exec(text);
  return found ? { kind: HUB_LABELS[found[1]], key: found[2] } : null;
}

/** Inbox items that are not deliveries of an alert: a room message has no alertId at all. */
export const NOT_ALERTS: ReadonlySet<string> = new Set(['match', 'hit', 'room-message']);

/** The headline of an alert delivered to the reader, from the newest inbox item of it that decides. */
export function sharedHeadline(alertId: string, inbox: readonly InboxItem[]): string | null {
  const id = alertId.toLowerCase();
  // Newest first: a withdrawal or an erasure after the last delivery with content means the reader no longer has it.
  for (const item of inbox) {
    if (NOT_ALERTS.has(item.kind) || !item.alertId || item.alertId.toLowerCase() !== id) continue;
    if (item.withdrawn || item.erased) return null;
    if (item.alert) return item.alert.headline;
    // A cancel carries no content: the version before it is still the reader's to read.
  }
  return null;
}
