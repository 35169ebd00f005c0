import { Inject, Injectable, Logger } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { Topic, TOPIC_SPECS, TopicSpec } from '@hub/contracts/topics';
import { KAFKA_CLIENT, KAFKA_OPTIONS, KafkaModuleOptions } from './kafka.options';

/** Topics without content keep their records 30 days (the audit log's consumers may be halted that long). */
export const DEFAULT_TOPIC_RETENTION_MS = 30 * 24 * 3600 * 1000;
/** Topics with content keep them 7 days unless configured (KAFKA_CONTENT_RETENTION_MS). */
export const DEFAULT_CONTENT_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** retention.ms of a non-compacted topic: content topics follow the content policy, the others the default. */
export function topicRetentionMs(spec: TopicSpec, contentRetentionMs = DEFAULT_CONTENT_RETENTION_MS): number {
  if (spec.compacted && spec.carriesContent) throw new Error(`${spec.topic}: a compacted topic may never carry alert content`);
  return spec.carriesContent ? contentRetentionMs : DEFAULT_TOPIC_RETENTION_MS;
}

/**
 * Topics of the contract. The admin principal creates them (`ensureTopics`, run by `main.js migrate`: services have
 * no Create permission); a service waits at boot until the topics it uses are there (`awaitTopics`).
 */
@Injectable()
export class TopicAdmin {
  private readonly logger = new Logger(TopicAdmin.name);

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_OPTIONS) private readonly options: Pick<KafkaModuleOptions, 'replicationFactor' | 'minInsyncReplicas'> & { contentRetentionMs?: number },
  ) {}

  /**
   * Waits until every one of `topics` exists with a leader for each partition, as far as this client's principal
   * may see (it describes only the topics its ACLs name). Fails naming the missing topics and what creates them.
   */
  async awaitTopics(topics: readonly Topic[], readyWithinMs = 60_000): Promise<void> {
    const specs = TOPIC_SPECS.filter((spec) => topics.includes(spec.topic));
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await this.awaitLeaders(admin, specs, readyWithinMs);
    } catch (error) {
      throw new Error(
        `${(error as Error).message}. Topics and their ACLs are created by \`main.js migrate\` as the Kafka admin ` +
          '(KAFKA_ADMIN_PASSWORD); this service may not create them',
      );
    } finally {
      await admin.disconnect();
    }
  }

  /** Creates the missing topics of `specs` (the contract's; a test passes its own) and waits for their leaders. */
  async ensureTopics(specs: readonly TopicSpec[] = TOPIC_SPECS, readyWithinMs = 60_000): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((spec) => !existing.has(spec.topic));
      if (missing.length === 0) return;
      // Another service (or replica) booting at the same time may create them first: that is success, not a reason
      // to exit. And kafkajs' waitForLeaders gives up when a broker of a multi-node cluster does not know a new topic
      // yet (UNKNOWN_TOPIC_OR_PARTITION), so readiness is awaited below instead.
      await this.createTopics(admin, missing).catch((error: { type?: string; errors?: { type?: string }[] }) => {
        const causes = error.errors ?? [error];
        if (!causes.every((cause) => cause.type === 'TOPIC_ALREADY_EXISTS')) throw error;
      });
      await this.awaitLeaders(admin, missing, readyWithinMs);
      this.logger.log(`topics ready: ${missing.map((s) => s.topic).join(', ')}`);
    } finally {
      await admin.disconnect();
    }
  }

  /** Polls metadata until every partition of `specs` has a leader, on whichever broker answers. */
  private async awaitLeaders(admin: Admin, specs: readonly TopicSpec[], readyWithinMs: number): Promise<void> {
    const deadline = Date.now() + readyWithinMs;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      let reason: string;
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
        const notReady = specs.filter((spec) => {
          const topic = topics.find((t) => t.name === spec.topic);
          return !topic || topic.partitions.length < spec.partitions || topic.partitions.some((p) => p.leader < 0);
        });
        if (notReady.length === 0) return;
        reason = `no leader yet for ${notReady.map((s) => s.topic).join(', ')}`;
      } catch (error) {
        reason = (error as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`topics not ready within ${readyWithinMs} ms: ${reason}`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private createTopics(admin: Admin, missing: readonly TopicSpec[]): Promise<boolean> {
    return admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.partitions,
        replicationFactor: this.options.replicationFactor,
        configEntries: [
          { name: 'min.insync.replicas', value: String(this.options.minInsyncReplicas) },
          { name: 'cleanup.policy', value: spec.compacted ? 'compact' : 'delete' },
          ...(spec.compacted ? [] : [{ name: 'retention.ms', value: String(topicRetentionMs(spec, this.options.contentRetentionMs)) }]),
          ...(spec.maxMessageBytes ? [{ name: 'max.message.bytes', value: String(spec.maxMessageBytes) }] : []),
        ],
      })),
    });
  }
}
