import { AuditEventType } from './audit-event-type';
import { HubService } from './topics';

const GATEWAY = [HubService.AgencyGateway] as const;
const NODE = [HubService.CoordinationNode] as const;
/** A fact every service states about its own acts (its own denials, queries, dead letters). */
const EACH_ITS_OWN = [HubService.AgencyGateway, HubService.CoordinationNode, HubService.AuditLog] as const;

/**
 * Which service may state each fact type: the one whose audit topic (and so Kafka principal, see KAFKA_ACCESS) alone
 * writes it. A fact read from another service's audit topic is refused — by the audit log (which records an
 * integrity alarm instead), the analysts' feed and the visibility derivation — because the service that wrote it could
 * not have done what it states: only the node routes, only the gateway accepts alerts and fills inboxes
 * (docs/decisions/006-trust-model.md). A new fact type must be added here, or the type check fails.
 */
export const FACT_OWNERS: Readonly<Record<AuditEventType, readonly HubService[]>> = {
  [AuditEventType.AlertSubmitted]: GATEWAY,
  [AuditEventType.AlertRejected]: GATEWAY,
  [AuditEventType.AlertUpdated]: GATEWAY,
  [AuditEventType.AlertCancelled]: GATEWAY,
  [AuditEventType.RoutingDecided]: NODE,
  [AuditEventType.AlertDelivered]: GATEWAY,
  [AuditEventType.InboxRead]: GATEWAY,
  [AuditEventType.InboxStreamed]: GATEWAY,
  [AuditEventType.AlertRead]: GATEWAY,
  [AuditEventType.AlertAcked]: GATEWAY,
  [AuditEventType.AccessDenied]: EACH_ITS_OWN,
  [AuditEventType.AdminAgencyCreated]: GATEWAY,
  [AuditEventType.AdminAgencyUpdated]: GATEWAY,
  [AuditEventType.AdminKeyIssued]: GATEWAY,
  [AuditEventType.AdminKeyRevoked]: GATEWAY,
  [AuditEventType.AdminGroupCreated]: GATEWAY,
  [AuditEventType.SigningKeyRegistered]: GATEWAY,
  [AuditEventType.SigningKeyRevoked]: GATEWAY,
  [AuditEventType.SigningPolicyChanged]: GATEWAY,
  [AuditEventType.AuditQueried]: EACH_ITS_OWN,
  [AuditEventType.MessageDeadLettered]: EACH_ITS_OWN,
  [AuditEventType.CorrelationFound]: NODE,
  [AuditEventType.HitsQueried]: GATEWAY,
  // Raised by the audit log's own writer; no service may publish one.
  [AuditEventType.IntegrityAlarm]: [HubService.AuditLog],
  [AuditEventType.AlertErased]: GATEWAY,
  [AuditEventType.RetentionSwept]: GATEWAY,
  [AuditEventType.RoomCreated]: GATEWAY,
  [AuditEventType.RoomMemberAdded]: GATEWAY,
  [AuditEventType.RoomMemberRemoved]: GATEWAY,
  [AuditEventType.RoomMessagePosted]: GATEWAY,
  [AuditEventType.RoomRead]: GATEWAY,
  [AuditEventType.RoomClosed]: GATEWAY,
  [AuditEventType.RoomErased]: GATEWAY,
};

/** `${type} ${service}` for every allowed pair: one Set lookup per fact on the hot path. */
const OWNED = new Set(
  Object.entries(FACT_OWNERS).flatMap(([type, services]) => services.map((service) => `${type} ${service}`)),
);

/** Whether `producer` (the service whose audit topic the fact came on) may state a fact of `type`; an unknown type is owned by no one. */
export function isFactOwnedBy(type: string, producer: string): boolean {
  return OWNED.has(`${type} ${producer}`);
}
