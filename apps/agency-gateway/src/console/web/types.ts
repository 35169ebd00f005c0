/** The shapes of the agency API's answers that the console reads (see docs/contract.md). */

export interface Agency {
  id: string;
  name: string;
  country: string;
}

export interface Directory {
  self: Agency;
  agencies: Agency[];
  sharingGroups: { id: string; name: string; members: string[] }[];
}

/** A subject as the API writes it: its type, the identifiers as written, and the hub's canonical form. */
export interface Subject {
  type: string;
  canonical?: string;
  [field: string]: string | number | undefined;
}

export interface Alert {
  status: string;
  category: string;
  urgency: string;
  severity: string;
  certainty: string;
  headline: string;
  description?: string;
  tlp: string;
  handlingCode: string;
  handlingConditions?: string;
  evaluation: { source: string; information: number };
  distribution: { scope: string; recipients: string[]; sharingGroups: string[] };
  location: { country: string; place?: string; lat?: number; lon?: number };
  subjects?: Subject[];
  expiresAt?: string;
  references?: string[];
}

/** One delivery in the inbox stream: an alert, an update, a cancel or a match notice. */
export interface InboxItem {
  deliveryId: string;
  /**
   * null on the wire for items of kind room-message (a message is not about an alert): the code that handles those
   * (rooms.ts) reads roomMessage instead, and everything that reads alertId skips them first (NOT_ALERTS).
   */
  alertId: string;
  kind: string;
  version: number;
  sender: string;
  deliveredAt: string;
  erased?: boolean;
  /** this delivery withdrew the alert from the reader (its content is gone from the inbox) */
  withdrawn?: boolean;
  cancelReason?: string;
  alert?: Alert;
  /** only on a match notice: no content; the other alert's id only when it is shared with the reader */
  match?: {
    text: string;
    foundAt: string;
    correlationId: string;
    otherAgencyId: string;
    otherAlertIds: string[];
    restricted: boolean;
  };
  hit?: { text: string; askedBy: string; askedAt: string; alertIds: string[] };
  /** only on items of kind room-message */
  roomMessage?: RoomMessage & { roomId: string };
}

/** A message in an operation room (GET /v1/rooms/{id}/messages, or an inbox item of kind room-message). */
export interface RoomMessage {
  messageId: string;
  cursor: string;
  author: string;
  text: string | null;
  postedAt: string;
  erased: boolean;
}

/** GET /v1/rooms/{id}/alerts: an alert addressed to the room that this agency sent or received. */
export interface RoomAlert {
  cursor: string;
  alertId: string;
  version: number;
  sender: string;
  state: 'active' | 'cancelled';
  sentAt: string;
  headline: string | null;
  category: string | null;
  tlp: string | null;
  erased: boolean;
}

/** GET /v1/rooms/{id}: what a member sees of a room. */
export interface Room {
  roomId: string;
  name: string | null;
  purpose: string | null;
  owner: string;
  state: 'open' | 'closed' | 'erased';
  closesAt: string;
  members: { agencyId: string; joinedAt: string }[];
}

/** GET /v1/alerts/{id} as a recipient. */
export interface ReceivedView {
  version: number;
  sender: string;
  kind: string;
  deliveredAt: string;
  cancelReason?: string;
  alert: Alert;
}

export interface RecipientStatus {
  agencyId: string;
  deliveredKind: string;
  deliveredVersion: number;
  deliveredAt: string;
  ack?: { status: string; version: number; at: string; note?: string };
}

/** GET /v1/alerts/{id} as the sender. */
export interface SenderView {
  version: number;
  state: string;
  receivedAt: string;
  cancelReason?: string;
  alert: Alert;
  recipients: RecipientStatus[];
}

/** 410 Gone: what is left of an erased alert. */
export interface ErasedBody {
  alert?: { alertId?: string; version?: number; receivedAt?: string; sender?: string; erasedAt?: string };
}

/** One of the agency's own alerts in GET /v1/alerts. */
export interface SentItem {
  alertId: string;
  version: number;
  state: string;
  tlp: string;
  headline: string;
  category?: string;
  createdAt: string;
  erased?: boolean;
}

/** What the detail pane shows: an alert received, one of the agency's own, or a match notice. */
export interface Selection {
  as: 'recipient' | 'sender' | 'match';
  alertId: string;
  deliveryId?: string;
  version?: number;
  sender?: string;
  state?: string;
  alert?: Alert;
}
