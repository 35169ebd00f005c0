import { Admin, Kafka, logLevel } from 'kafkajs';
import { Topic } from '@hub/contracts/topics';
import { BrokerCluster, expectEventually, KAFKA_ADMIN, startBrokerCluster, testKafkaConnection } from '@hub/testing';
import { KafkaProducer } from './kafka.producer';

const TOPIC = 'producer-failover-it' as Topic;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every value in the topic, read from the beginning up to the high watermark of each partition. */
async function valuesIn(kafka: Kafka, admin: Admin): Promise<Set<string>> {
  const high = new Map(
    (await admin.fetchTopicOffsets(TOPIC)).filter((p) => Number(p.high) > 0).map((p) => [p.partition, Number(p.high)]),
  );
  const values = new Set<string>();
  if (high.size === 0) return values;
  const consumer = kafka.consumer({ groupId: `failover-reader-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        values.add(String(message.value));
        if (Number(message.offset) >= high.get(partition)! - 1) high.delete(partition);
        if (high.size === 0) resolve();
      },
    });
  });
  await consumer.disconnect();
  return values;
}

/**
 * The hub's producer on a real 3-node cluster (replication factor 3, min.insync.replicas 2) while the leader of a
 * partition is frozen (SIGSTOP: the controller moves its partitions away) and thawed (it answers NOT_LEADER to what
 * it had queued), then killed (kill -9) and restarted. kafkajs' multi-broker send resolved such calls without
 * re-sending the moved partition's records, and its idempotent producer could reuse the sequence of a batch the
 * broker had kept: acknowledged, yet not in the log (both found by `npm run chaos`). Every acknowledged message must
 * be in the topic (duplicates are allowed: the hub's consumers are idempotent).
 */
describe('KafkaProducer across partition leader changes (3-node cluster)', () => {
  let cluster: BrokerCluster;
  let kafka: Kafka;
  let admin: Admin;
  let producer: KafkaProducer;

  beforeAll(async () => {
    cluster = await startBrokerCluster();
    // As the admin principal (a super user of the cluster, created with it like every broker the project starts).
    kafka = new Kafka({
      clientId: 'producer-failover-it',
      ...testKafkaConnection(KAFKA_ADMIN, cluster.brokers),
      logLevel: logLevel.NOTHING,
      retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
    });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: false, // kafkajs' wait gives up while a node does not know the topic yet: waited for below
      topics: [
        {
          topic: TOPIC,
          numPartitions: 6,
          replicationFactor: 3,
          configEntries: [{ name: 'min.insync.replicas', value: '2' }],
        },
      ],
    });
    await expectEventually(
      async () => {
        const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC] });
        return topics[0].partitions.filter((p) => p.leader >= 0 && p.isr.length === 3).length === 6;
      },
      { timeoutMs: 60_000, description: 'leaders and full ISRs for every partition' },
    );
    producer = new KafkaProducer(kafka);
    await producer.onModuleInit();
  }, 180_000);

  afterAll(async () => {
    await producer?.onModuleDestroy().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await cluster?.stop();
  }, 60_000);

  it('every message a send acknowledged is in the topic after its leader was frozen and thawed', async () => {
    const acknowledged: string[] = [];
    let sending = true;
    const load = (async () => {
      for (let n = 0; sending; n++) {
        // Twelve keys over six partitions led by three brokers: every call spans all of them.
        const batch = Array.from({ length: 12 }, (_, i) => ({ topic: TOPIC, key: `key-${i}`, value: `${n}:${i}` }));
        try {
          await producer.sendSerialized(batch);
          acknowledged.push(...batch.map((m) => m.value));
        } catch {
          // not acknowledged: the outbox would send these rows again; only acknowledged ones are owed
        }
        await sleep(20);
      }
    })();
    const leaderOfPartition0 = async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC] });
      return topics[0].partitions.find((p) => p.partitionId === 0)!.leader;
    };
    for (let cycle = 0; cycle < 2; cycle++) {
      await sleep(3_000);
      const frozen = await leaderOfPartition0();
      cluster.kill(frozen, 'SIGSTOP');
      await sleep(14_000); // past broker.session.timeout.ms (9 s): the controller fences it and moves its leaderships
      cluster.kill(frozen, 'SIGCONT');
      await sleep(5_000);
      // A crash: requests in flight to it may or may not have been persisted when the connection drops.
      const killed = await leaderOfPartition0();
      cluster.kill(killed, 'SIGKILL');
      await sleep(10_000);
      await cluster.start(killed);
      await sleep(8_000);
    }
    sending = false;
    await load;

    const stored = await valuesIn(kafka, admin);
    const lost = acknowledged.filter((value) => !stored.has(value));
    expect(acknowledged.length).toBeGreaterThan(500);
    expect({ lost: lost.length, firstLost: lost.slice(0, 5) }).toEqual({ lost: 0, firstLost: [] });
  }, 240_000);
});
