import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { AUDIT_TOPIC_OF, AUDIT_TOPICS, HubService, Topic } from '@hub/contracts/topics';

/**
 * Who may do what on Kafka: each service is its own principal (User:<service>, a SCRAM-SHA-512 user) and gets
 * exactly these permissions from the broker's StandardAuthorizer; anything else is refused by the broker. Why each
 * line is there: docs/decisions/006-trust-model.md. The admin principal (a super user) creates topics and ACLs in
 * `main.js migrate`; services get neither Create nor Alter.
 */
export interface KafkaAccess {
  /** Topics the service produces to (Write; the idempotent producer needs nothing more since Kafka 3.0, KIP-679). */
  writes: readonly Topic[];
  /** Topics the service consumes (Read). */
  reads: readonly Topic[];
}

export const KAFKA_ACCESS: Readonly<Record<HubService, KafkaAccess>> = {
  [HubService.AgencyGateway]: {
    // The only writer of reference data and credentials, of submissions, and of erasures (it owns erasure requests
    // and the retention job).
    writes: [
      Topic.Agencies,
      Topic.Credentials,
      Topic.SharingGroups,
      Topic.Rooms,
      Topic.AlertsSubmitted,
      Topic.AlertErasures,
      AUDIT_TOPIC_OF[HubService.AgencyGateway],
      Topic.DeadLetter,
    ],
    // Its credential store is its own table: it has no replica to feed.
    // (AlertsDelivered: drained for deliveries written before AlertsRouted replaced it.)
    reads: [Topic.AlertsRouted, Topic.AlertsDelivered, Topic.MatchNotices],
  },
  [HubService.CoordinationNode]: {
    // The only writer of routing outcomes (the deliveries) and match notices.
    writes: [Topic.AlertsRouted, Topic.MatchNotices, AUDIT_TOPIC_OF[HubService.CoordinationNode], Topic.DeadLetter],
    // The live feed is built from every service's audit facts.
    reads: [
      Topic.Agencies,
      Topic.Credentials,
      Topic.SharingGroups,
      Topic.Rooms,
      Topic.AlertsSubmitted,
      Topic.AlertErasures,
      ...AUDIT_TOPICS,
    ],
  },
  [HubService.AuditLog]: {
    writes: [AUDIT_TOPIC_OF[HubService.AuditLog], Topic.DeadLetter],
    reads: [Topic.Credentials, ...AUDIT_TOPICS],
  },
};

/** Every topic the service touches: what it waits for at boot. */
export function topicsOf(service: HubService): Topic[] {
  return [...new Set([...KAFKA_ACCESS[service].writes, ...KAFKA_ACCESS[service].reads])];
}

export function principalOf(service: HubService): string {
  return `User:${service}`;
}

/**
 * Consumer groups a service may use: those whose id starts with the service name (`agency-gateway`,
 * `agency-gateway-deliveries`, …), so a service cannot join, and steal partitions from, another's group.
 */
export function consumerGroupPrefixOf(service: HubService): string {
  return service;
}

/** The ACL bindings of one service, as kafkajs' createAcls takes them. */
export function aclBindingsOf(service: HubService) {
  const principal = principalOf(service);
  const allow = { principal, host: '*', permissionType: AclPermissionTypes.ALLOW };
  const topic = (name: Topic, operation: AclOperationTypes) => ({
    ...allow,
    resourceType: AclResourceTypes.TOPIC,
    resourceName: name,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    operation,
  });
  const { writes, reads } = KAFKA_ACCESS[service];
  return [
    ...writes.map((name) => topic(name, AclOperationTypes.WRITE)),
    ...reads.map((name) => topic(name, AclOperationTypes.READ)),
    // Describe (metadata, offsets, the dead-letter count on /health) comes with Read and Write; topics it only writes
    // are described too, which Write implies.
    {
      ...allow,
      resourceType: AclResourceTypes.GROUP,
      resourceName: consumerGroupPrefixOf(service),
      resourcePatternType: ResourcePatternTypes.PREFIXED,
      operation: AclOperationTypes.READ,
    },
  ];
}
