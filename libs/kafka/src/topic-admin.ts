import { Inject, Injectable, Logger } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { TOPIC_SPECS } from '@hub/contracts/topics';
import { KAFKA_CLIENT, KAFKA_OPTIONS, KafkaModuleOptions } from './kafka.options';

/** Creates every topic of the contract at boot (auto-creation is off on the broker), then checks the cluster. */
@Injectable()
export class TopicAdmin {
  private readonly logger = new Logger(TopicAdmin.name);

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
  ) {}

  async ensureTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = TOPIC_SPECS.filter((spec) => !existing.has(spec.topic));
      if (missing.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor: this.options.replicationFactor,
          configEntries: [
            { name: 'min.insync.replicas', value: String(this.options.minInsyncReplicas) },
            { name: 'cleanup.policy', value: spec.compacted ? 'compact' : 'delete' },
            ...(spec.compacted ? [] : [{ name: 'retention.ms', value: String(30 * 24 * 3600 * 1000) }]),
            ...(spec.maxMessageBytes ? [{ name: 'max.message.bytes', value: String(spec.maxMessageBytes) }] : []),
          ],
        })),
      });
      this.logger.log(`created topics ${missing.map((s) => s.topic).join(', ')}`);
    } finally {
      await admin.disconnect();
    }
  }
}
