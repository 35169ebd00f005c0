import { Kafka, Partitioners, ProducerRecord } from 'kafkajs';
import { Topic } from '@hub/contracts/topics';
import { KafkaProducer, partitionOf } from './kafka.producer';

/** A Kafka client that records the produce calls instead of sending them (the broker itself: kafka.integration-spec). */
function recordingKafka(partitions: Record<string, number>): { kafka: Kafka; calls: ProducerRecord[] } {
  const calls: ProducerRecord[] = [];
  const kafka = {
    producer: () => ({ connect: async () => undefined, disconnect: async () => undefined, send: async (record: ProducerRecord) => void calls.push(record) }),
    admin: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({
        topics: topics.map((name) => ({ name, partitions: Array.from({ length: partitions[name] }, (_, partitionId) => ({ partitionId })) })),
      }),
    }),
  } as unknown as Kafka;
  return { kafka, calls };
}

describe('KafkaProducer', () => {
  it('chooses the partition kafkajs itself would choose for a key', () => {
    const ours = Partitioners.DefaultPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));
    const keys = ['KG-BS', 'KZ-CUS', 'TJ-DCA', 'CARICC', '', 'f0e1d2c3-0000-4000-8000-000000000000'];
    const spread = new Set<number>();
    for (const key of keys) {
      const expected = theirs({ topic: Topic.AlertsDelivered, partitionMetadata, message: { key, value: null } });
      expect(partitionOf(ours, { topic: Topic.AlertsDelivered, key }, 6)).toBe(expected);
      spread.add(expected);
    }
    expect(spread.size).toBeGreaterThan(1);
  });

  it('sends each partition in a call of its own, with the partition set and the order of each key kept', async () => {
    const { kafka, calls } = recordingKafka({ [Topic.AlertsDelivered]: 6, [Topic.AuditEventsFromGateway]: 6 });
    const producer = new KafkaProducer(kafka);
    await producer.onModuleInit();
    const recipients = ['KG-BS', 'KZ-CUS', 'TJ-DCA', 'UZ-NIC', 'TM-BS', 'CARICC'];
    const messages = recipients.flatMap((recipient) => [1, 2, 3].map((n) => ({ topic: Topic.AlertsDelivered, key: recipient, value: `${recipient}#${n}` })));
    messages.push({ topic: Topic.AuditEventsFromGateway, key: 'a', value: 'audit-a' }, { topic: Topic.AuditEventsFromGateway, key: 'b', value: 'audit-b' });
    await producer.sendSerialized(messages);

    for (const call of calls) {
      expect(call.acks).toBe(-1);
      const partitions = new Set(call.messages.map((m) => m.partition));
      expect(partitions.size).toBe(1); // one partition per call: never two brokers in one kafkajs retry loop
    }
    const slots = calls.map((call) => `${call.topic}/${call.messages[0].partition}`);
    expect(new Set(slots).size).toBe(slots.length);
    const sent = calls.flatMap((call) => call.messages.map((m) => String(m.value)));
    expect(sent.sort()).toEqual(messages.map((m) => m.value).sort());
    for (const recipient of recipients) {
      const call = calls.find((c) => c.messages.some((m) => m.key === recipient))!;
      expect(call.messages.filter((m) => m.key === recipient).map((m) => m.value)).toEqual([1, 2, 3].map((n) => `${recipient}#${n}`));
    }
  });
});
