/**
 * Why a candidate recipient was or was not sent an alert version. Recorded with every routing decision in
 * the audit log: values are part of the audit contract — add, never rename.
 */
export enum RoutingReason {
  /** delivered: named in distribution.recipients */
  Addressed = 'ADDRESSED',
  /** delivered: scope regional, active, not the sender */
  Regional = 'REGIONAL',
  /** delivered: member of a named, unexpired sharing group */
  GroupMember = 'GROUP_MEMBER',
  /** delivered (as a cancel): received an earlier version of the alert being cancelled */
  PreviousRecipient = 'PREVIOUS_RECIPIENT',
  /** delivered (as a cancel): received an earlier version, the new version no longer entitles it */
  RecalledByUpdate = 'RECALLED_BY_UPDATE',
  /** delivered (as a cancel): received an earlier version, still addressed, but inactive or no longer known */
  RecalledInactive = 'RECALLED_INACTIVE',

  /** withheld: the sender never receives its own alert */
  Sender = 'SENDER',
  /** withheld: scope restricted, not a recipient and in none of the named groups */
  NotAddressed = 'NOT_ADDRESSED',
  /** withheld: entitled, but the agency is inactive */
  Inactive = 'INACTIVE',
  /** withheld: entitled only through sharing groups that have all expired */
  GroupExpired = 'GROUP_EXPIRED',
  /** withheld: AMBER+STRICT or RED reach only explicit recipients (not regional scope, not groups) */
  TlpRequiresExplicitRecipient = 'TLP_REQUIRES_EXPLICIT_RECIPIENT',
  /** withheld: RED content would reach this agency only through a sharing group */
  RedGroupNotAllowed = 'RED_GROUP_NOT_ALLOWED',
  /** withheld: a cancel goes only to agencies that received an earlier version */
  NotPreviousRecipient = 'NOT_PREVIOUS_RECIPIENT',
  /** withheld: addressed, but not in this service's reference data (possibly not replicated yet) */
  UnknownAgency = 'UNKNOWN_AGENCY',
  /** withheld: entitled, but the alert was erased (on request or at the end of its retention) before it was routed */
  Erased = 'ERASED',
  /** delivered: member of a named, open operation room (and not delivered as a recipient or group member) */
  RoomMember = 'ROOM_MEMBER',
  /** withheld: entitled only through operation rooms that have all closed */
  RoomClosed = 'ROOM_CLOSED',
  /** withheld: scope regional, but the agency is a partner agency (outside the membership): only what names it reaches it */
  PartnerNotRegional = 'PARTNER_NOT_REGIONAL',
}

export type DeliveredReason =
  | RoutingReason.Addressed
  | RoutingReason.Regional
  | RoutingReason.GroupMember
  | RoutingReason.RoomMember
  | RoutingReason.PreviousRecipient
  | RoutingReason.RecalledByUpdate
  | RoutingReason.RecalledInactive;

export type WithheldReason = Exclude<RoutingReason, DeliveredReason>;

export const DELIVERED_REASONS: readonly DeliveredReason[] = [
  RoutingReason.Addressed,
  RoutingReason.Regional,
  RoutingReason.GroupMember,
  RoutingReason.RoomMember,
  RoutingReason.PreviousRecipient,
  RoutingReason.RecalledByUpdate,
  RoutingReason.RecalledInactive,
];

export const ROUTING_REASONS = Object.values(RoutingReason) as RoutingReason[];
