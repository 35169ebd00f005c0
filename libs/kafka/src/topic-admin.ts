import { Inject, Injectable, Logger } from '@nestjs/common';
import { Admin, ConfigResourceTypes, ConfigSource, Kafka } from 'kafkajs';
import { Topic, TOPIC_SPECS, TopicSpec } from '@hub/contracts/topics';
import { KAFKA_CLIENT, KAFKA_OPTIONS, KafkaModuleOptions } from './kafka.options';

/** Topics without content keep their records 30 days (the audit log's consumers may be halted that long). */
export const DEFAULT_TOPIC_RETENTION_MS = 30 * 24 * 3600 * 1000;
/** Topics with content keep them 7 days unless configured (KAFKA_CONTENT_RETENTION_MS). */
export const DEFAULT_CONTENT_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** retention.ms of a non-compacted topic: content topics follow the content policy, the others the default. */
export function topicRetentionMs(spec: TopicSpec, contentRetentionMs = DEFAULT_CONTENT_RETENTION_MS): number {
  if (spec.compacted && spec.carriesContent)
    throw new Error(`${spec.topic}: a compacted topic may never carry alert content`);
  return spec.carriesContent ? contentRetentionMs : DEFAULT_TOPIC_RETENTION_MS;
}

/**
 * The configuration a topic of the contract must have, entry by entry: what `createTopics` sets on a new topic and
 * what `ensureTopics` brings an existing one back to (docs/decisions/008-retention-and-erasure.md, "Kafka").
 */
export function declaredTopicConfig(
  spec: TopicSpec,
  options: { minInsyncReplicas: number; contentRetentionMs?: number },
): Record<string, string> {
  return {
    'min.insync.replicas': String(options.minInsyncReplicas),
    'cleanup.policy': spec.compacted ? 'compact' : 'delete',
    ...(spec.compacted ? {} : { 'retention.ms': String(topicRetentionMs(spec, options.contentRetentionMs)) }),
    ...(spec.maxMessageBytes ? { 'max.message.bytes': String(spec.maxMessageBytes) } : {}),
    ...(spec.maxCompactionLagMs ? { 'max.compaction.lag.ms': String(spec.maxCompactionLagMs) } : {}),
  };
}

/** One entry of an existing topic's configuration that provisioning changed to the declared value. */
export interface TopicConfigChange {
  topic: string;
  name: string;
  /** the value the broker reported before (its default when the topic had no override) */
  from: string | null;
  to: string;
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
    @Inject(KAFKA_OPTIONS)
    private readonly options: Pick<KafkaModuleOptions, 'replicationFactor' | 'minInsyncReplicas'> & {
      contentRetentionMs?: number;
    },
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

  /**
   * Creates the missing topics of `specs` (the contract's; a test passes its own) and waits for their leaders; brings
   * the configuration of those that existed already to the declared values (`declaredTopicConfig`). Returns what it
   * changed on existing topics (nothing when they were as declared: running it again changes nothing).
   */
  async ensureTopics(specs: readonly TopicSpec[] = TOPIC_SPECS, readyWithinMs = 60_000): Promise<TopicConfigChange[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const changes = await this.reconcileConfigs(
        admin,
        specs.filter((spec) => existing.has(spec.topic)),
      );
      const missing = specs.filter((spec) => !existing.has(spec.topic));
      if (missing.length === 0) return changes;
      // Another service (or replica) booting at the same time may create them first: that is success, not a reason
      // to exit. And kafkajs' waitForLeaders gives up when a broker of a multi-node cluster does not know a new topic
      // yet (UNKNOWN_TOPIC_OR_PARTITION), so readiness is awaited below instead.
      await this.createTopics(admin, missing).catch((error: { type?: string; errors?: { type?: string }[] }) => {
        const causes = error.errors ?? [error];
        if (!causes.every((cause) => cause.type === 'TOPIC_ALREADY_EXISTS')) throw error;
      });
      await this.awaitLeaders(admin, missing, readyWithinMs);
      this.logger.log(`topics ready: ${missing.map((s) => s.topic).join(', ')}`);
      return changes;
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
        configEntries: Object.entries(declaredTopicConfig(spec, this.options)).map(([name, value]) => ({
          name,
          value,
        })),
      })),
    });
  }

  /**
   * An existing topic keeps the configuration it was created with (e.g. a retention.ms from before the content
   * policy) unless someone changes it: this does, for every declared entry that differs, and logs each change.
   * kafkajs (2.2) has only AlterConfigs, which replaces a topic's whole set of overrides, not IncrementalAlterConfigs;
   * so the topic's other overrides are read first and sent again unchanged (a value altered by someone else between
   * the read and the write would be lost: run it from one place at a time, as `main.js migrate` does per service).
   */
  private async reconcileConfigs(admin: Admin, specs: readonly TopicSpec[]): Promise<TopicConfigChange[]> {
    if (specs.length === 0) return [];
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: specs.map((spec) => ({ type: ConfigResourceTypes.TOPIC, name: spec.topic })),
    });
    const changes: TopicConfigChange[] = [];
    const resources = specs.flatMap((spec) => {
      const resource = described.resources.find((r) => r.resourceName === spec.topic);
      if (!resource || resource.errorCode !== 0) {
        throw new Error(
          `cannot read the configuration of topic ${spec.topic}: ${resource?.errorMessage ?? 'not described'}`,
        );
      }
      const current = new Map(resource.configEntries.map((entry) => [entry.configName, entry]));
      const declared = neverLowerInsync(declaredTopicConfig(spec, this.options), current.get(MIN_INSYNC)?.configValue);
      const differing = Object.entries(declared).filter(([name, value]) => current.get(name)?.configValue !== value);
      if (differing.length === 0) return [];
      for (const [name, to] of differing)
        changes.push({ topic: spec.topic, name, from: current.get(name)?.configValue ?? null, to });
      const keptOverrides = resource.configEntries
        .filter((entry) => entry.configSource === ConfigSource.TOPIC_CONFIG && !(entry.configName in declared))
        .map((entry) => ({ name: entry.configName, value: entry.configValue }));
      const entries = [...keptOverrides, ...Object.entries(declared).map(([name, value]) => ({ name, value }))];
      return [{ type: ConfigResourceTypes.TOPIC, name: spec.topic, configEntries: entries }];
    });
    if (resources.length === 0) return [];
    await admin.alterConfigs({ validateOnly: false, resources });
    for (const change of changes) {
      this.logger.log(
        `topic ${change.topic}: ${change.name} ${change.from ?? '(unset)'} -> ${change.to} (declared value)`,
      );
    }
    return changes;
  }
}

const MIN_INSYNC = 'min.insync.replicas';

/**
 * min.insync.replicas is only ever raised on an existing topic: a migrate run with a development setting (1) against
 * a production cluster (2) must not weaken what acks=all guarantees there.
 */
function neverLowerInsync(
  declared: Record<string, string>,
  currentValue: string | null | undefined,
): Record<string, string> {
  const current = Number(currentValue);
  if (!Number.isInteger(current) || current <= Number(declared[MIN_INSYNC])) return declared;
  return { ...declared, [MIN_INSYNC]: String(current) };
}
