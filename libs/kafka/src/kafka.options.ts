import { HubService } from '@hub/contracts/topics';
import { KafkaCredentials, KafkaTls } from './kafka-client';

export interface KafkaModuleOptions {
  /** The service: its Kafka client id, the prefix of its consumer groups, and which audit topic it writes. */
  service: HubService;
  brokers: string[];
  /** The service's own principal (User:<service>); its ACLs are KAFKA_ACCESS[service]. */
  credentials: KafkaCredentials;
  /** The CA (and optional client certificate) of the brokers' TLS. */
  tls: KafkaTls;
  /** Replication factor for topics created at boot (1 for the local single broker, 3 in production). */
  replicationFactor: number;
  /** min.insync.replicas set on topics created at boot (2 in production with acks=all). */
  minInsyncReplicas: number;
  /** PostgreSQL schema holding this app's outbox table. */
  outboxSchema: string;
  /** Backoff before a failed message is tried again; doubles each time, capped at 5 s. */
  retryBackoffMs?: number;
  /**
   * How long the outbox trusts a check that found no stale row (a crashed publisher's) before it publishes from memory
   * without checking again; 1000 by default. Tests set 0 to check before every publish.
   */
  outboxStaleCheckTtlMs?: number;
}

export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
