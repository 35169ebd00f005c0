/**
 * Every Kafka topic the hub uses. Versioned names: a new shape gets a new topic (…v2),
 * never an in-place change. No string-literal topic names anywhere else.
 */
export enum Topic {
  /** Reference data, compacted, key = agency id. Value: AgencyRecord. */
  Agencies = 'hub.reference.agencies.v1',
  /** Reference data, compacted, key = key id. Value: CredentialRecord (hash only, never the secret). */
  Credentials = 'hub.reference.credentials.v1',
  /** Reference data, compacted, key = group id. Value: SharingGroupRecord. */
  SharingGroups = 'hub.reference.sharing-groups.v1',
  /**
   * Reference data, compacted, key = roomId. Value: RoomRecord (members, closure and the name until erased of an
   * operation room, never its purpose or messages): what the node needs to route alerts addressed to rooms and to list
   * them on the analysts' dashboard.
   */
  Rooms = 'hub.reference.rooms.v1',
  /** Alert submissions, updates and cancels from agency-gateway. Key = alertId (keeps versions in order). */
  AlertsSubmitted = 'alerts.submitted.v1',
  /**
   * Superseded by AlertsRouted: one message per (alert version, recipient), content included. Nothing writes it any
   * more; agency-gateway still drains it, so deliveries in flight when a hub is upgraded are not lost.
   */
  AlertsDelivered = 'alerts.deliveries.v1',
  /**
   * One message per routed alert version (AlertRoutedMessage, produced by coordination-node): whom it is delivered
   * to, each with its deliveryId. No content: agency-gateway, which accepted the version, fans it out into the
   * inboxes from its own copy. Key = alertId (keeps an alert's versions in order).
   */
  AlertsRouted = 'alerts.routed.v1',
  /**
   * One message per (correlation, owner alert): what the owner of a matching alert is told (MatchNoticeMessage),
   * produced by coordination-node, stored by agency-gateway as an inbox item of kind `match`. Key = owner agency id.
   */
  MatchNotices = 'alerts.match-notices.v1',
  /**
   * Auditable facts, one topic per producing service (AuditEvent; key = alertId, or the actor's agency when there is
   * no alert). Only that service's Kafka principal may write its topic, so the audit log knows who wrote a fact from
   * the topic it came on, not from what the fact says (docs/decisions/006-trust-model.md). They replace
   * audit.events.v1, which every service could write.
   */
  AuditEventsFromGateway = 'audit.events.agency-gateway.v1',
  AuditEventsFromCoordination = 'audit.events.coordination-node.v1',
  AuditEventsFromAuditLog = 'audit.events.audit-log.v1',
  /**
   * An alert whose content must go now (erasure on request, or its retention ended): every service removes its
   * copies (AlertErasedMessage, produced by agency-gateway). Key = alertId. Carries no content.
   */
  AlertErasures = 'alerts.erasures.v1',
  /** Messages that are at fault themselves (invalid, refused, too large to publish), with their origin in headers. Key = original key. */
  DeadLetter = 'hub.dead-letter.v1',
}

/** The hub's services. Each is its own Kafka principal (a SCRAM user of the same name) with its own ACLs. */
export enum HubService {
  AgencyGateway = 'agency-gateway',
  CoordinationNode = 'coordination-node',
  AuditLog = 'audit-log',
}

export const HUB_SERVICES = Object.values(HubService);

/** The one topic each service writes its audit facts to. */
export const AUDIT_TOPIC_OF: Readonly<Record<HubService, Topic>> = {
  [HubService.AgencyGateway]: Topic.AuditEventsFromGateway,
  [HubService.CoordinationNode]: Topic.AuditEventsFromCoordination,
  [HubService.AuditLog]: Topic.AuditEventsFromAuditLog,
};

export const AUDIT_TOPICS: readonly Topic[] = HUB_SERVICES.map((service) => AUDIT_TOPIC_OF[service]);

/** The service whose principal alone may write `topic`, when it is an audit topic; undefined otherwise. */
export function producerOfAuditTopic(topic: string): HubService | undefined {
  return HUB_SERVICES.find((service) => AUDIT_TOPIC_OF[service] === topic);
}

export interface TopicSpec {
  topic: Topic;
  partitions: number;
  compacted: boolean;
  /** Topic-level max.message.bytes, where the broker's default (1 MiB) is too small. */
  maxMessageBytes?: number;
  /**
   * Topic-level max.compaction.lag.ms of a compacted topic whose superseded values must not outlive a bound: the
   * broker rolls the segment and compacts it within this time (plus the log cleaner's pass), not only when the
   * dirty ratio is reached. Without it an old value may stay for as long as no compaction happens.
   */
  maxCompactionLagMs?: number;
  /**
   * Carries alert content (or identifiers, or free text about an alert): kept only as long as the content policy
   * allows (KAFKA_CONTENT_RETENTION_MS), never compacted. See docs/decisions/008-retention-and-erasure.md.
   */
  carriesContent: boolean;
}

/** How long a superseded Topic.Rooms value (one that still names an erased room) may stay before compaction. */
export const ROOM_NAME_COMPACTION_LAG_MS = 24 * 3600 * 1000;

export const TOPIC_SPECS: readonly TopicSpec[] = [
  { topic: Topic.Agencies, partitions: 1, compacted: true, carriesContent: false },
  { topic: Topic.Credentials, partitions: 1, compacted: true, carriesContent: false },
  { topic: Topic.SharingGroups, partitions: 1, compacted: true, carriesContent: false },
  // A room's name until it is erased: the value that still names it is compacted away within a day (decision 019).
  {
    topic: Topic.Rooms,
    partitions: 1,
    compacted: true,
    maxCompactionLagMs: ROOM_NAME_COMPACTION_LAG_MS,
    carriesContent: false,
  },
  { topic: Topic.AlertsSubmitted, partitions: 6, compacted: false, carriesContent: true },
  { topic: Topic.AlertsDelivered, partitions: 6, compacted: false, carriesContent: true },
  { topic: Topic.AlertsRouted, partitions: 6, compacted: false, carriesContent: false },
  // A notice names the matched identifier.
  { topic: Topic.MatchNotices, partitions: 6, compacted: false, carriesContent: true },
  // Commitments and keyed hashes only since the retention change; kept as long as before (30 days).
  { topic: Topic.AuditEventsFromGateway, partitions: 6, compacted: false, carriesContent: false },
  { topic: Topic.AuditEventsFromCoordination, partitions: 6, compacted: false, carriesContent: false },
  { topic: Topic.AuditEventsFromAuditLog, partitions: 6, compacted: false, carriesContent: false },
  { topic: Topic.AlertErasures, partitions: 6, compacted: false, carriesContent: false },
  // Larger than any other topic accepts, so that a message too large for its own topic is dead-lettered whole.
  // A dead-lettered submission or delivery holds content.
  { topic: Topic.DeadLetter, partitions: 1, compacted: false, maxMessageBytes: 16 * 1024 * 1024, carriesContent: true },
];

/** Header names put on dead-lettered messages. */
export enum DeadLetterHeader {
  Topic = 'x-origin-topic',
  Partition = 'x-origin-partition',
  Offset = 'x-origin-offset',
  Error = 'x-error',
  Attempts = 'x-attempts',
  ConsumerGroup = 'x-consumer-group',
}

/** The topics that carry alert content: their unpublished outbox rows about an erased alert are deleted with it. */
export const CONTENT_TOPICS: readonly Topic[] = TOPIC_SPECS.filter((spec) => spec.carriesContent).map(
  (spec) => spec.topic,
);
