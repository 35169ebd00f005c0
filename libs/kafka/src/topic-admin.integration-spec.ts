import { randomUUID } from 'node:crypto';
import { Admin, ConfigResourceTypes } from 'kafkajs';
import { Topic, TopicSpec } from '@hub/contracts/topics';
import { expectEventually, testKafka } from '@hub/testing';
import { DEFAULT_TOPIC_RETENTION_MS, TopicAdmin } from './topic-admin';

async function topicConfig(admin: Admin, topic: string): Promise<Record<string, string>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
  });
  return Object.fromEntries(resources[0].configEntries.map((entry) => [entry.configName, entry.configValue]));
}

/**
 * The three services' `migrate` may run at the same time (a compose up, a rolling deploy): each creates the
 * contract's topics if missing. The ones that lose the race must carry on, not exit at start-up.
 */
describe('TopicAdmin against the real broker', () => {
  const kafka = testKafka('topic-admin');
  const options = { replicationFactor: 1, minInsyncReplicas: 1 };

  it('three replicas creating the same new topics at once all succeed, and every partition has a leader', async () => {
    const run = randomUUID().slice(0, 8);
    const specs = [
      { topic: `test.topic-race-a.${run}` as Topic, partitions: 6, compacted: false, carriesContent: false },
      { topic: `test.topic-race-b.${run}` as Topic, partitions: 1, compacted: true, carriesContent: false },
    ] satisfies TopicSpec[];
    const replicas = [1, 2, 3].map(() => new TopicAdmin(kafka, options));

    await Promise.all(replicas.map((replica) => replica.ensureTopics(specs)));

    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
      expect(topics.map((t) => [t.name, t.partitions.length, t.partitions.every((p) => p.leader >= 0)]).sort()).toEqual(
        specs.map((s) => [s.topic, s.partitions, true]).sort(),
      );
      await admin.deleteTopics({ topics: specs.map((s) => s.topic) });
    } finally {
      await admin.disconnect();
    }
  });

  it('brings an existing topic created with another retention to the declared configuration, keeps its other overrides, and changes nothing when run again', async () => {
    const run = randomUUID().slice(0, 8);
    const contentRetentionMs = 3 * 24 * 3600 * 1000;
    const content = {
      topic: `test.topic-config-content.${run}` as Topic,
      partitions: 2,
      compacted: false,
      carriesContent: true,
      maxMessageBytes: 2_000_000,
    } satisfies TopicSpec;
    const plain = {
      topic: `test.topic-config-plain.${run}` as Topic,
      partitions: 1,
      compacted: false,
      carriesContent: false,
    } satisfies TopicSpec;
    const admin = kafka.admin();
    await admin.connect();
    try {
      // As a cluster provisioned before the content policy left them: 30 days (and an operator's own segment.ms).
      await admin.createTopics({
        // (kafkajs' waitForLeaders gives up on UNKNOWN_TOPIC_OR_PARTITION while the topic spreads: polled below)
        waitForLeaders: false,
        topics: [content, plain].map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor: 1,
          configEntries: [
            { name: 'retention.ms', value: String(DEFAULT_TOPIC_RETENTION_MS) },
            { name: 'segment.ms', value: '86400000' },
            // As on a production cluster: stricter than this test setup's min.insync.replicas, which must not lower it.
            ...(spec === plain ? [{ name: 'min.insync.replicas', value: String(options.minInsyncReplicas + 1) }] : []),
          ],
        })),
      });
      await expectEventually(
        async () => {
          const { topics } = await admin
            .fetchTopicMetadata({ topics: [content.topic, plain.topic] })
            .catch(() => ({ topics: [] }));
          return (
            topics.length === 2 &&
            topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
          );
        },
        { timeoutMs: 30_000, description: 'the pre-existing topics have leaders' },
      );
      const provisioning = new TopicAdmin(kafka, { ...options, contentRetentionMs });

      const changes = await provisioning.ensureTopics([content, plain]);

      const after = await topicConfig(admin, content.topic);
      expect(after['retention.ms']).toBe(String(contentRetentionMs));
      expect(after['max.message.bytes']).toBe('2000000');
      expect(after['cleanup.policy']).toBe('delete');
      expect(after['segment.ms']).toBe('86400000');
      expect(changes).toEqual(
        expect.arrayContaining([
          {
            topic: content.topic,
            name: 'retention.ms',
            from: String(DEFAULT_TOPIC_RETENTION_MS),
            to: String(contentRetentionMs),
          },
          expect.objectContaining({ topic: content.topic, name: 'max.message.bytes', to: '2000000' }),
        ]),
      );
      // The topic without content already had its declared retention: its retention is not among the changes.
      expect(changes.filter((c) => c.topic === plain.topic && c.name === 'retention.ms')).toEqual([]);
      expect((await topicConfig(admin, plain.topic))['segment.ms']).toBe('86400000');
      expect((await topicConfig(admin, plain.topic))['min.insync.replicas']).toBe(
        String(options.minInsyncReplicas + 1),
      );
      expect(changes.filter((c) => c.name === 'min.insync.replicas' && c.topic === plain.topic)).toEqual([]);

      expect(await provisioning.ensureTopics([content, plain])).toEqual([]);
      expect((await topicConfig(admin, content.topic))['retention.ms']).toBe(String(contentRetentionMs));
      await admin.deleteTopics({ topics: [content.topic, plain.topic] });
    } finally {
      await admin.disconnect();
    }
  });
});
