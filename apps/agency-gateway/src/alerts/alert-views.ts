import { AlertContent } from '@hub/contracts/alert/alert-content';
import { DeliveryKind, InboxItemKind } from '@hub/contracts/messages';

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
  /** null only once erased (and then the read answers 410 with the rest) */
  alert: AlertContent | null;
  /** the origin signature of this version (Alert-Signature, docs/signatures.md), null when it was sent unsigned */
  signature: string | null;
  recipients: RecipientState[];
}

/** One of the sender's own alerts in a list: enough to choose one, nothing of its recipients. */
export interface SentAlertSummary {
  alertId: string;
  version: number;
  state: 'active' | 'cancelled';
  /** null once the alert's content was erased (on request or at the end of its retention) */
  headline: string | null;
  category: string | null;
  tlp: string | null;
  createdAt: string;
  updatedAt: string;
  erased?: true;
  erasedAt?: string;
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
  /** the sender's origin signature over `alert` (docs/signatures.md); null when unsigned or withdrawn */
  signature: string | null;
  /** true when the latest delivery withdrew the alert from this recipient (dropped by an update) */
  withdrawn: boolean;
}

/**
 * What a match notice tells its owner: `text` is the sentence the correlation decided; when `restricted`, nothing
 * of the other alert (otherAlertIds is empty), only the agency to contact.
 */
export interface MatchNoticeView {
  correlationId: string;
  otherAgencyId: string;
  otherAlertIds: string[];
  restricted: boolean;
  text: string;
  foundAt: string;
}

/**
 * What a hit notice tells an owner: which agency checked identifiers that its alerts name (POST /v1/hits), and which
 * of its own alerts; the asker learns only whom to contact, the owner learns who asked.
 */
export interface HitNoticeView {
  queryId: string;
  askedBy: string;
  alertIds: string[];
  text: string;
  askedAt: string;
}

export interface InboxItem {
  /** for a match notice: the notice id */
  deliveryId: string;
  cursor: string;
  /** for a match notice: the recipient's own alert that matched; null on a room message */
  alertId: string | null;
  /** null on a room message */
  version: number | null;
  kind: InboxItemKind;
  sender: string;
  deliveredAt: string;
  cancelReason: string | null;
  /** null for a cancel (recall reaches every earlier recipient, content does not), for a match notice, and for every delivery of an alert later withdrawn from this recipient */
  alert: AlertContent | null;
  /** the sender's origin signature over `alert` (docs/signatures.md); null when unsigned or when there is no content */
  signature: string | null;
  /** this delivery withdrew the alert from the recipient */
  withdrawn: boolean;
  /** the alert's content was erased (on request or at the end of its retention): `alert` and `cancelReason` are null */
  erased: boolean;
  /** only on items of kind `match` */
  match?: MatchNoticeView;
  /** only on items of kind `hit` */
  hit?: HitNoticeView;
  /** only on items of kind `room-message`: the message (text null once the room's content was erased) */
  roomMessage?: RoomMessageView;
}

/** A message posted in an operation room, as its members see it. */
export interface RoomMessageView {
  roomId: string;
  messageId: string;
  /** the message's position in its room (GET /v1/rooms/{roomId}/messages?after=) */
  cursor: string;
  author: string;
  text: string | null;
  postedAt: string;
  erased: boolean;
}

export interface InboxRow {
  recipient: string;
  seq: string;
  delivery_id: string;
  alert_id: string | null;
  version: number | null;
  kind: InboxItemKind;
  sender: string;
  alert: AlertContent | null;
  signature: string | null;
  cancel_reason: string | null;
  withdrawn: boolean;
  erased: boolean;
  match: MatchNoticeView | null;
  hit?: HitNoticeView | null;
  room_message: RoomMessageView | null;
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
    signature: row.alert ? row.signature : null,
    withdrawn: row.withdrawn,
    erased: row.erased,
    ...(row.match ? { match: row.match } : {}),
    ...(row.hit ? { hit: row.hit } : {}),
    ...(row.room_message ? { roomMessage: row.room_message } : {}),
  };
}
