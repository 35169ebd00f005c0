import { AlertContent } from '@hub/contracts/alert/alert-content';
import { DeliveryKind } from '@hub/contracts/messages';
import { InboxItem, RecipientAlertView, SenderAlertView } from '../alerts/alert-views';

/**
 * One alert version as the interchange formats (CAP 1.2, STIX 2.1) need it, built from the views the JSON API
 * already serves (so the formats show exactly what the caller may see, nothing more). `alert` is null when the
 * caller holds no content (a cancel delivery, a withdrawn alert).
 */
export interface InterchangeView {
  alertId: string;
  version: number;
  kind: DeliveryKind;
  sender: string;
  /** when the hub received this version: CAP <sent>, STIX created/published */
  at: string;
  cancelReason: string | null;
  alert: AlertContent | null;
  signature: string | null;
  /** the earlier version this one updates or cancels, as CAP <references> names it */
  previous: { version: number; at: string } | null;
}

/** When the hub received each version of an alert (gateway.alert_versions): the same for every viewer. */
export type VersionTimes = ReadonlyMap<number, string>;

function times(version: number, fallback: string, received: VersionTimes): Pick<InterchangeView, 'at' | 'previous'> {
  const previousAt = received.get(version - 1);
  return {
    at: received.get(version) ?? fallback,
    previous: version > 1 && previousAt ? { version: version - 1, at: previousAt } : null,
  };
}

export function fromSenderView(view: SenderAlertView, received: VersionTimes): InterchangeView {
  const kind: DeliveryKind = view.state === 'cancelled' ? 'cancel' : view.version === 1 ? 'alert' : 'update';
  return {
    alertId: view.alertId,
    version: view.version,
    kind,
    sender: view.sender,
    ...times(view.version, view.receivedAt, received),
    cancelReason: view.cancelReason,
    alert: view.alert,
    signature: view.signature,
  };
}

export function fromRecipientView(view: RecipientAlertView, received: VersionTimes): InterchangeView {
  return fromDelivered(view, received);
}

/** An inbox item of an alert (not a match or hit notice). */
export function fromInboxItem(item: InboxItem, received: VersionTimes): InterchangeView {
  if (
    item.kind === 'match' ||
    item.kind === 'hit' ||
    item.kind === 'room-message' ||
    item.alertId === null ||
    item.version === null
  )
    throw new Error(`an inbox item of kind ${item.kind} has no interchange form`);
  return fromDelivered({ ...item, alertId: item.alertId, version: item.version, kind: item.kind }, received);
}

/** A version as a recipient holds it: the recipient's view and an inbox item carry the same fields. */
function fromDelivered(
  view: Pick<
    RecipientAlertView,
    'alertId' | 'version' | 'kind' | 'sender' | 'deliveredAt' | 'cancelReason' | 'alert' | 'signature'
  >,
  received: VersionTimes,
): InterchangeView {
  return {
    alertId: view.alertId,
    version: view.version,
    kind: view.kind,
    sender: view.sender,
    ...times(view.version, view.deliveredAt, received),
    cancelReason: view.cancelReason,
    alert: view.alert,
    signature: view.signature,
  };
}
