/** Every auditable fact. Values are part of the audit contract: add, never rename. */
export enum AuditEventType {
  AlertSubmitted = 'alert.submitted',
  AlertRejected = 'alert.rejected',
  AlertUpdated = 'alert.updated',
  AlertCancelled = 'alert.cancelled',
  RoutingDecided = 'routing.decided',
  AlertDelivered = 'alert.delivered',
  InboxRead = 'inbox.read',
  InboxStreamed = 'inbox.streamed',
  AlertRead = 'alert.read',
  AlertAcked = 'alert.acked',
  AccessDenied = 'access.denied',
  AdminAgencyCreated = 'admin.agency-created',
  AdminAgencyUpdated = 'admin.agency-updated',
  AdminKeyIssued = 'admin.key-issued',
  AdminKeyRevoked = 'admin.key-revoked',
  AdminGroupCreated = 'admin.group-created',
  /** An agency's Ed25519 origin-signing public key was registered (by the admin or the agency itself). */
  SigningKeyRegistered = 'admin.signing-key-registered',
  SigningKeyRevoked = 'admin.signing-key-revoked',
  SigningPolicyChanged = 'admin.signing-policy-changed',
  AuditQueried = 'audit.queried',
  MessageDeadLettered = 'message.dead-lettered',
  CorrelationFound = 'correlation.found',
  /** POST /v1/hits: one per query, the identifiers as keyed hashes (bounded), the number of hits */
  HitsQueried = 'hits.queried',
  /** The audit log itself: an event came again under a recorded eventId with different content (refused). */
  IntegrityAlarm = 'audit.integrity-alarm',
  /** An alert's content, salts and identifiers were removed on a lawful request (who asked, why). */
  AlertErased = 'alert.erased',
  /** One run of the retention job: the alerts whose retention had ended and whose content it removed. */
  RetentionSwept = 'retention.swept',
  /** Operation rooms (docs/decisions/019): details.roomId names the room; its trail is GET /v1/audit/rooms/{roomId}/trail. */
  RoomCreated = 'room.created',
  RoomMemberAdded = 'room.member-added',
  RoomMemberRemoved = 'room.member-removed',
  /** A message, as a salted commitment, and the inbox rows it was delivered into (one fact per message). */
  RoomMessagePosted = 'room.message-posted',
  /** A member read a page of a room's messages (one fact per request). */
  RoomRead = 'room.read',
  /** Closed by its owner, or by the hub when closesAt was reached. */
  RoomClosed = 'room.closed',
  /** Its retention ended: name, purpose and message texts removed, the commitments stay in the log. */
  RoomErased = 'room.erased',
}

export const AUDIT_EVENT_TYPES = Object.values(AuditEventType) as string[];
