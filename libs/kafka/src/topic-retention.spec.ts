import { Topic, TOPIC_SPECS } from '@hub/contracts/topics';
import {
  declaredTopicConfig,
  DEFAULT_CONTENT_RETENTION_MS,
  DEFAULT_TOPIC_RETENTION_MS,
  topicRetentionMs,
} from './topic-admin';

describe('topic retention follows the content policy', () => {
  it('no compacted topic carries alert content (a compacted topic keeps the last record of a key forever)', () => {
    expect(TOPIC_SPECS.filter((spec) => spec.compacted && spec.carriesContent)).toEqual([]);
  });

  it('every topic that carries content is retained for the content retention, the others 30 days', () => {
    const contentTopics = TOPIC_SPECS.filter((spec) => spec.carriesContent).map((spec) => spec.topic);
    expect(contentTopics.sort()).toEqual(
      [Topic.AlertsDelivered, Topic.AlertsSubmitted, Topic.DeadLetter, Topic.MatchNotices].sort(),
    );
    for (const spec of TOPIC_SPECS.filter((s) => !s.compacted)) {
      expect(topicRetentionMs(spec, 3_600_000)).toBe(spec.carriesContent ? 3_600_000 : DEFAULT_TOPIC_RETENTION_MS);
    }
    expect(topicRetentionMs(TOPIC_SPECS.find((s) => s.topic === Topic.AlertsSubmitted)!)).toBe(
      DEFAULT_CONTENT_RETENTION_MS,
    );
  });

  it('refuses a compacted content topic', () => {
    expect(() =>
      topicRetentionMs({ topic: 'x' as Topic, partitions: 1, compacted: true, carriesContent: true }),
    ).toThrow(/compacted/);
  });
});

describe('declaredTopicConfig (what provisioning sets on new topics and restores on existing ones)', () => {
  it("declares the content retention, the cleanup policy, min.insync.replicas and the table's max.message.bytes", () => {
    const deadLetter = TOPIC_SPECS.find((s) => s.topic === Topic.DeadLetter)!;
    expect(declaredTopicConfig(deadLetter, { minInsyncReplicas: 2, contentRetentionMs: 1000 })).toEqual({
      'min.insync.replicas': '2',
      'cleanup.policy': 'delete',
      'retention.ms': '1000',
      'max.message.bytes': String(deadLetter.maxMessageBytes),
    });
    // A compacted topic keeps every key's last record: no retention.ms is declared for it.
    expect(
      declaredTopicConfig(
        TOPIC_SPECS.find((s) => s.topic === Topic.Agencies)!,
        { minInsyncReplicas: 1 },
      ),
    ).toEqual({
      'min.insync.replicas': '1',
      'cleanup.policy': 'compact',
    });
    // The rooms topic names a room until it is erased: a superseded value is compacted away within a bound.
    expect(
      declaredTopicConfig(
        TOPIC_SPECS.find((s) => s.topic === Topic.Rooms)!,
        { minInsyncReplicas: 1 },
      ),
    ).toEqual({
      'min.insync.replicas': '1',
      'cleanup.policy': 'compact',
      'max.compaction.lag.ms': String(24 * 3600 * 1000),
    });
  });
});
