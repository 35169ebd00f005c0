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
  /** Messages that are at fault themselves (invalid, refused, too large to publish), with their origin in headers. Key = original key. */
  DeadLetter = 'hub.dead-letter.v1',
}

export interface TopicSpec {
  topic: Topic;
  partitions: number;
  compacted: boolean;
  /** Topic-level max.message.bytes, where the broker's default (1 MiB) is too small. */
  maxMessageBytes?: number;
}

export const TOPIC_SPECS: readonly TopicSpec[] = [
  { topic: Topic.Agencies, partitions: 1, compacted: true },
  { topic: Topic.Credentials, partitions: 1, compacted: true },
  { topic: Topic.SharingGroups, partitions: 1, compacted: true },
  { topic: Topic.AlertsSubmitted, partitions: 6, compacted: false },
  { topic: Topic.AlertsDelivered, partitions: 6, compacted: false },
  { topic: Topic.MatchNotices, partitions: 6, compacted: false },
  { topic: Topic.AuditEvents, partitions: 6, compacted: false },
  // Larger than any other topic accepts, so that a message too large for its own topic is dead-lettered whole.
  { topic: Topic.DeadLetter, partitions: 1, compacted: false, maxMessageBytes: 16 * 1024 * 1024 },
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
