import { AlertContent } from '@hub/contracts/alert/alert-content';
import { DeliveryKind } from '@hub/contracts/messages';

export interface AcceptedResponse {
  alertId: string;
  version: number;
  messageId: string;
  acceptedAt: string;
}

export interface RecipientState {
  agencyId: string;
  deliveredVersion: number;
  deliveredKind: DeliveryKind;
  deliveredAt: string;
  ack: { version: number; status: string; note: string | null; at: string } | null;
}

/** What the sender sees of its own alert. */
export interface SenderAlertView {
  alertId: string;
  version: number;
  state: 'active' | 'cancelled';
  sender: string;
  receivedAt: string;
  cancelReason: string | null;
  alert: AlertContent;
  recipients: RecipientState[];
}

/** What a recipient sees: the latest version delivered to it, nothing about other recipients. */
export interface RecipientAlertView {
  alertId: string;
  version: number;
  kind: DeliveryKind;
  sender: string;
  deliveredAt: string;
  cancelReason: string | null;
  /** null once the alert was withdrawn from this recipient: withdrawn means gone */
  alert: AlertContent | null;
  /** true when the latest delivery withdrew the alert from this recipient (dropped by an update) */
  withdrawn: boolean;
}

export interface InboxItem {
  deliveryId: string;
  cursor: string;
  alertId: string;
  version: number;
  kind: DeliveryKind;
  sender: string;
  deliveredAt: string;
  cancelReason: string | null;
  /** null for a cancel (recall reaches every earlier recipient, content does not), and for every delivery of an alert later withdrawn from this recipient */
  alert: AlertContent | null;
  /** this delivery withdrew the alert from the recipient */
  withdrawn: boolean;
}

export interface InboxRow {
  recipient: string;
  seq: string;
  delivery_id: string;
  alert_id: string;
  version: number;
  kind: DeliveryKind;
  sender: string;
  alert: AlertContent | null;
  cancel_reason: string | null;
  withdrawn: boolean;
  delivered_at: Date;
}

export function inboxItem(row: InboxRow): InboxItem {
  return {
    deliveryId: row.delivery_id,
    cursor: String(row.seq),
    alertId: row.alert_id,
    version: row.version,
    kind: row.kind,
    sender: row.sender,
    deliveredAt: row.delivered_at.toISOString(),
    cancelReason: row.cancel_reason,
    alert: row.alert,
    withdrawn: row.withdrawn,
  };
}
