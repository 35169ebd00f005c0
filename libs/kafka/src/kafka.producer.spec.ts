import { Kafka, Partitioners, ProducerRecord } from 'kafkajs';
import { Topic } from '@hub/contracts/topics';
import { KafkaProducer, partitionOf } from './kafka.producer';

/** A Kafka client whose producer hands each produce call to `send` (the broker itself: kafka.integration-spec). */
function fakeKafka(
  send: (record: ProducerRecord) => Promise<void>,
  partitions: (topic: string) => number = () => 1,
): Kafka {
  return {
    producer: () => ({ connect: async () => undefined, disconnect: async () => undefined, send }),
    admin: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({
        topics: topics.map((name) => ({
          name,
          partitions: Array.from({ length: partitions(name) }, (_, partitionId) => ({ partitionId })),
        })),
      }),
    }),
  } as unknown as Kafka;
}

/** A Kafka client that records the produce calls instead of sending them. */
function recordingKafka(partitions: Record<string, number>): { kafka: Kafka; calls: ProducerRecord[] } {
  const calls: ProducerRecord[] = [];
  return {
    kafka: fakeKafka(
      async (record) => void calls.push(record),
      (topic) => partitions[topic],
    ),
    calls,
  };
}

describe('KafkaProducer', () => {
  it('chooses the partition kafkajs itself would choose for a key', () => {
    const ours = Partitioners.DefaultPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 6 }, (_, partitionId) => ({
      partitionId,
      leader: 1,
      replicas: [1],
      isr: [1],
      partitionErrorCode: 0,
    }));
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
    const messages = recipients.flatMap((recipient) =>
      [1, 2, 3].map((n) => ({ topic: Topic.AlertsDelivered, key: recipient, value: `${recipient}#${n}` })),
    );
    messages.push(
      { topic: Topic.AuditEventsFromGateway, key: 'a', value: 'audit-a' },
      { topic: Topic.AuditEventsFromGateway, key: 'b', value: 'audit-b' },
    );
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
      expect(call.messages.filter((m) => m.key === recipient).map((m) => m.value)).toEqual(
        [1, 2, 3].map((n) => `${recipient}#${n}`),
      );
    }
  });

  it("sends what callers hand over while a partition's request is in flight together in its next request, each caller resolved by its own", async () => {
    const calls: ProducerRecord[] = [];
    const pending: (() => void)[] = [];
    const kafka = fakeKafka((record) => {
      calls.push(record);
      return new Promise<void>((resolve) => pending.push(resolve));
    });
    const producer = new KafkaProducer(kafka);
    await producer.onModuleInit();
    const done: string[] = [];
    const send = (value: string) =>
      producer
        .sendSerialized([{ topic: Topic.AuditEventsFromGateway, key: 'k', value }])
        .then(() => void done.push(value));
    const first = send('a');
    await new Promise((resolve) => setImmediate(resolve));
    const rest = [send('b'), send('c'), send('d')];
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.map((c) => c.messages.map((m) => m.value))).toEqual([['a']]);
    pending.shift()!();
    await first;
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toEqual(['a']); // b, c and d wait for their own request's answer
    expect(calls.map((c) => c.messages.map((m) => m.value))).toEqual([['a'], ['b', 'c', 'd']]);
    pending.shift()!();
    await Promise.all(rest);
    expect(done).toEqual(['a', 'b', 'c', 'd']);
  });

  it('sends a shared request the broker refuses as too large again caller by caller, so only the oversized caller fails', async () => {
    const calls: string[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const kafka = fakeKafka(async (record) => {
      const values = record.messages.map((m) => String(m.value));
      calls.push(values);
      if (values[0] === 'first') return gate;
      if (values.includes('huge')) throw Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' });
    });
    const producer = new KafkaProducer(kafka);
    await producer.onModuleInit();
    const send = (value: string) => producer.sendSerialized([{ topic: Topic.AuditEventsFromGateway, key: 'k', value }]);
    const first = send('first');
    await new Promise((resolve) => setImmediate(resolve));
    const small = send('small');
    const huge = send('huge');
    release();
    await first;
    await expect(small).resolves.toBeUndefined();
    await expect(huge).rejects.toThrow('too large');
    expect(calls).toEqual([['first'], ['small', 'huge'], ['small'], ['huge']]);
  });
});
