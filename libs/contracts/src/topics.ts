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
  /** Alert submissions, updates and cancels from agency-gateway. Key = alertId (keeps versions in order). */
  AlertsSubmitted = 'alerts.submitted.v1',
  /** One message per (alert version, recipient) decided "delivered" by coordination-node. Key = recipient agency id. */
  AlertsDelivered = 'alerts.deliveries.v1',
  /**
   * One message per (correlation, owner alert): what the owner of a matching alert is told (MatchNoticeMessage),
   * produced by coordination-node, stored by agency-gateway as an inbox item of kind `match`. Key = owner agency id.
   */
  MatchNotices = 'alerts.match-notices.v1',
  /** Every auditable fact, from every service. Key = alertId, or the actor's agency when there is no alert. */
  AuditEvents = 'audit.events.v1',
  /**
   * An alert whose content must go now (erasure on request, or its retention ended): every service removes its
   * copies (AlertErasedMessage, produced by agency-gateway). Key = alertId. Carries no content.
   */
  AlertErasures = 'alerts.erasures.v1',
  /** Messages that are at fault themselves (invalid, refused, too large to publish), with their origin in headers. Key = original key. */
  DeadLetter = 'hub.dead-letter.v1',
}

export interface TopicSpec {
  topic: Topic;
  partitions: number;
  compacted: boolean;
  /** Topic-level max.message.bytes, where the broker's default (1 MiB) is too small. */
  maxMessageBytes?: number;
  /**
   * Carries alert content (or identifiers, or free text about an alert): kept only as long as the content policy
   * allows (KAFKA_CONTENT_RETENTION_MS), never compacted. See docs/decisions/008-retention-and-erasure.md.
   */
  carriesContent: boolean;
}

export const TOPIC_SPECS: readonly TopicSpec[] = [
  { topic: Topic.Agencies, partitions: 1, compacted: true, carriesContent: false },
  { topic: Topic.Credentials, partitions: 1, compacted: true, carriesContent: false },
  { topic: Topic.SharingGroups, partitions: 1, compacted: true, carriesContent: false },
  { topic: Topic.AlertsSubmitted, partitions: 6, compacted: false, carriesContent: true },
  { topic: Topic.AlertsDelivered, partitions: 6, compacted: false, carriesContent: true },
  // A notice names the matched identifier.
  { topic: Topic.MatchNotices, partitions: 6, compacted: false, carriesContent: true },
  // Commitments and keyed hashes only since the retention change; kept as long as before (30 days).
  { topic: Topic.AuditEvents, partitions: 6, compacted: false, carriesContent: false },
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
