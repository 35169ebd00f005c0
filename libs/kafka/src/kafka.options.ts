export interface KafkaModuleOptions {
  /** e.g. "agency-gateway"; used for client id and, with a suffix, consumer group ids */
  clientId: string;
  brokers: string[];
  /** Replication factor for topics created at boot (1 for the local single broker, 3 in production). */
  replicationFactor: number;
  /** min.insync.replicas set on topics created at boot (2 in production with acks=all). */
  minInsyncReplicas: number;
  /** retention.ms of topics created at boot that carry alert content (TopicSpec.carriesContent); default 7 days. */
  contentRetentionMs?: number;
  /** PostgreSQL schema holding this app's outbox table. */
  outboxSchema: string;
  /** Backoff before a failed message is tried again; doubles each time, capped at 5 s. */
  retryBackoffMs?: number;
}

export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
