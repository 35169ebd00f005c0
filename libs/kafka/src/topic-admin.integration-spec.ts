import { randomUUID } from 'node:crypto';
import { Topic, TopicSpec } from '@hub/contracts/topics';
import { testKafka } from '@hub/testing';
import { TopicAdmin } from './topic-admin';

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
});
