import { AlertDeliveredMessage, AlertRoutedMessage, InboxItemKind, MatchNoticeMessage } from '@hub/contracts/messages';
import { HitNoticeView, MatchNoticeView } from '../alerts/alert-views';

/** One inbox row to store: an alert delivery or a match notice. */
export interface InboxEntry {
  deliveryId: string;
  recipient: string;
  alertId: string;
  version: number;
  kind: InboxItemKind;
  sender: string;
  /** the row shows the content of (alertId, version), kept once in gateway.alert_versions with its signature */
  hasContent: boolean;
  /** set for a recall (and on a legacy delivery); null on a routed cancel: the row takes the reason the gateway accepted with the version */
  cancelReason: string | null;
  match: MatchNoticeView | null;
  /** a hit notice (kind `hit`): another agency's POST /v1/hits named identifiers of the recipient's alerts */
  hit?: HitNoticeView | null;
  /** a recall: see enforceWithdrawals */
  withdrawn: boolean;
  /** audit details beyond deliveryId, kind, sender and inboxSeq */
  auditDetails: Record<string, unknown>;
}

/** What a recipient dropped by an update, or deactivated, is told instead of the sender's reason. */
const WITHDRAWN_REASON = 'You are no longer a recipient of this alert (withdrawn by an update).';

/** Each recipient of a routed version: one inbox row, content by reference (a cancel or a recall has none). */
export function routedEntries(routed: AlertRoutedMessage): InboxEntry[] {
  return routed.deliveries.map((delivery) => ({
    deliveryId: delivery.deliveryId,
    recipient: delivery.recipient,
    alertId: routed.alertId,
    version: routed.version,
    kind: delivery.kind,
    sender: routed.sender,
    hasContent: delivery.kind !== 'cancel',
    cancelReason: delivery.withdrawn === true ? WITHDRAWN_REASON : null,
    match: null,
    withdrawn: delivery.withdrawn === true,
    auditDetails: {},
  }));
}

/**
 * A delivery written before AlertsRouted replaced AlertsDelivered (drained after an upgrade): its content is the
 * version the gateway accepted, so it is stored by reference like the others.
 */
export function legacyEntry(delivery: AlertDeliveredMessage): InboxEntry {
  return {
    deliveryId: delivery.deliveryId,
    recipient: delivery.recipient,
    alertId: delivery.alertId,
    version: delivery.version,
    kind: delivery.kind,
    sender: delivery.sender,
    hasContent: Boolean(delivery.alert),
    cancelReason: delivery.cancelReason ?? null,
    match: null,
    withdrawn: delivery.withdrawn === true,
    auditDetails: {},
  };
}

/** A match notice is about the recipient's own alert: its sender is the recipient itself. */
export function noticeEntry(notice: MatchNoticeMessage): InboxEntry {
  const match: MatchNoticeView = {
    correlationId: notice.correlationId,
    otherAgencyId: notice.otherAgencyId,
    otherAlertIds: notice.otherAlertIds,
    restricted: notice.restricted,
    text: notice.text,
    foundAt: notice.foundAt,
  };
  return {
    deliveryId: notice.noticeId,
    recipient: notice.recipient,
    alertId: notice.alertId,
    version: notice.version,
    kind: 'match',
    sender: notice.recipient,
    hasContent: false,
    cancelReason: null,
    match,
    withdrawn: false,
    auditDetails: {
      correlationId: notice.correlationId,
      otherAgencyId: notice.otherAgencyId,
      restricted: notice.restricted,
    },
  };
}

/** The first of each deliveryId in a batch (a message redelivered within one batch is one delivery). */
export function firstOfEach(entries: readonly InboxEntry[]): InboxEntry[] {
  const seen = new Set<string>();
  return entries.filter((entry) => {
    const id = entry.deliveryId.toLowerCase();
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
