import { Controller, INestMicroservice } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload, Transport } from '@nestjs/microservices';
import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Consumer, logLevel, Partitioners } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditEvent, AuditEventType } from '@hub/contracts/audit-event';
import { AUDIT_TOPIC_OF, DeadLetterHeader, HubService, Topic } from '@hub/contracts/topics';
import {
  expectEventually,
  localKafkaTls,
  testEnvironment,
  testKafka,
  testKafkaConnection,
  testKafkaCredentials,
} from '@hub/testing';
import { KafkaBatchConsumers } from './batch-consumer';
import { KafkaModule } from './kafka.module';
import { KafkaProducer, partitionOf } from './kafka.producer';
import { ConsumerStatus } from './consumer-status';
import { KafkaMessageHandler, MessageRefusedError } from './message-handler';
import { OutboxService, outboxTableSql } from './outbox.service';

const env = testEnvironment();
const run = randomUUID().slice(0, 8);
const SCHEMA = 'kafka_it';
const CLIENT_ID = `kafka-it-${run}`;
/**
 * The module under test acts as the audit log (with the admin's credentials, so its test group needs no ACL). Its Nest
 * consumer reports its group as the service name, which is that consumer's group in the apps.
 */
const SERVICE = HubService.AuditLog;
const TOPIC = AUDIT_TOPIC_OF[SERVICE];

function auditEvent(eventId: string): AuditEvent {
  return {
    eventId,
    type: AuditEventType.AdminAgencyCreated,
    at: new Date().toISOString(),
    actor: { service: SERVICE },
    details: { run },
  };
}

/**
 * Records every message of this run. The "stuck" one fails (a plain error: nothing says the message is at fault)
 * until the test releases it; the "refused" one is refused by the handler.
 */
const handled: { eventId: string; attempt: number }[] = [];
let releaseStuck = false;
@Controller()
class FlakyConsumer {
  constructor(private readonly messages: KafkaMessageHandler) {}

  @EventPattern(TOPIC)
  async onEvent(@Payload() payload: unknown, @Ctx() context: KafkaContext): Promise<void> {
    await this.messages.handle(context, AuditEvent, payload, async (event) => {
      if (!event.eventId.startsWith(`it-${run}`)) return;
      handled.push({ eventId: event.eventId, attempt: handled.filter((h) => h.eventId === event.eventId).length + 1 });
      if (event.eventId.endsWith('stuck') && !releaseStuck) throw new Error('simulated failure nobody anticipated');
      if (event.eventId.endsWith('refused'))
        throw new MessageRefusedError('simulated refusal: the message names something that cannot exist');
    });
  }
}

describe('libs/kafka against the real broker and database', () => {
  let moduleRef: TestingModule;
  let microservice: INestMicroservice;
  const consumers: Consumer[] = [];
  const kafka = testKafka(CLIENT_ID);

  async function collect(topic: Topic, into: { key: string | null; value: string; headers: Record<string, string> }[]) {
    const consumer = kafka.consumer({ groupId: `collector-${run}-${topic}-${consumers.length}` });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
        into.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers });
      },
    });
  }

  beforeAll(async () => {
    const setup = new DataSource({ type: 'postgres', url: env.databaseUrl });
    await setup.initialize();
    await setup.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await setup.query(`CREATE SCHEMA ${SCHEMA}`);
    await setup.query(outboxTableSql(SCHEMA).up);
    await setup.destroy();
    moduleRef = await Test.createTestingModule({
      imports: [
        TypeOrmModule.forRoot({ type: 'postgres', url: env.databaseUrl, schema: SCHEMA }),
        KafkaModule.forRoot({
          service: SERVICE,
          brokers: env.brokers,
          credentials: testKafkaCredentials(),
          tls: localKafkaTls(),
          replicationFactor: 1,
          minInsyncReplicas: 1,
          outboxSchema: SCHEMA,
          retryBackoffMs: 50,
          outboxStaleCheckTtlMs: 0,
        }),
      ],
      controllers: [FlakyConsumer],
    }).compile();
    microservice = moduleRef.createNestMicroservice({
      transport: Transport.KAFKA,
      options: {
        postfixId: '',
        client: {
          clientId: CLIENT_ID,
          ...testKafkaConnection(),
          logLevel: logLevel.NOTHING,
        },
        consumer: { groupId: CLIENT_ID },
        subscribe: { fromBeginning: true },
      },
    });
    await microservice.listen();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect()));
    await microservice?.close();
    await moduleRef?.close();
  });

  it('a message produced through KafkaProducer is consumed by a real consumer group', async () => {
    const seen: { key: string | null; value: string; headers: Record<string, string> }[] = [];
    await collect(TOPIC, seen);
    const eventId = `it-${run}-plain`;
    await moduleRef.get(KafkaProducer).send([{ topic: TOPIC, key: eventId, value: auditEvent(eventId) }]);
    const message = await expectEventually(() => seen.find((m) => m.key === eventId), {
      description: 'message consumed',
    });
    expect(JSON.parse(message.value).eventId).toBe(eventId);
  });

  it('publishes outbox rows only once their transaction commits, then removes them', async () => {
    const outbox = moduleRef.get(OutboxService);
    const dataSource = moduleRef.get(DataSource);
    const committedId = `it-${run}-outbox-committed`;
    const rolledBackId = `it-${run}-outbox-rolled-back`;
    await expect(
      dataSource.transaction(async (manager) => {
        await outbox.enqueue(manager, [{ topic: TOPIC, key: rolledBackId, value: auditEvent(rolledBackId) }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const ids = await dataSource.transaction((manager) =>
      outbox.enqueue(manager, [{ topic: TOPIC, key: committedId, value: auditEvent(committedId) }]),
    );
    await outbox.publish(ids);
    const [{ pending }] = await dataSource.query(`SELECT count(*)::int AS pending FROM ${SCHEMA}.outbox`);
    expect(pending).toBe(0);
    await expectEventually(() => handled.some((h) => h.eventId === committedId), {
      description: 'outbox message consumed',
    });
    expect(handled.some((h) => h.eventId === rolledBackId)).toBe(false);
  });

  it('publishes a row a crashed publisher left behind before a newer row of the same key, and with no request at all', async () => {
    const outbox = moduleRef.get(OutboxService);
    const dataSource = moduleRef.get(DataSource);
    const seen: { key: string | null; value: string; headers: Record<string, string> }[] = [];
    await collect(TOPIC, seen);
    const key = `it-${run}-left-behind`;
    const leftBehind = `it-${run}-left-behind-first`;
    const fresh = `it-${run}-left-behind-second`;
    // As a replica killed between its commit and its publish leaves it: committed, unpublished, a minute old.
    const insertStale = (eventId: string) =>
      dataSource.query(
        `INSERT INTO ${SCHEMA}.outbox (topic, key, value, created_at) VALUES ($1, $2, $3, now() - interval '1 minute')`,
        [TOPIC, key, JSON.stringify(auditEvent(eventId))],
      );
    await insertStale(leftBehind);
    const ids = await dataSource.transaction((manager) =>
      outbox.enqueue(manager, [{ topic: TOPIC, key, value: auditEvent(fresh) }]),
    );
    await outbox.publish(ids);
    const order = await expectEventually(
      () => {
        const ours = seen.filter((m) => m.key === key).map((m) => JSON.parse(m.value).eventId as string);
        return ours.includes(leftBehind) && ours.includes(fresh) ? ours : undefined;
      },
      { description: 'both rows published' },
    );
    expect(order.indexOf(leftBehind)).toBeLessThan(order.indexOf(fresh));

    // Nobody publishes after this one: the relay finds it on its own.
    const alone = `it-${run}-left-behind-alone`;
    await insertStale(alone);
    await expectEventually(() => seen.find((m) => m.key === key && m.value.includes(alone)), {
      description: 'relay published the row',
    });
    await expectEventually(
      async () => {
        const [{ pending }] = await dataSource.query(`SELECT count(*)::int AS pending FROM ${SCHEMA}.outbox`);
        return pending === 0;
      },
      { description: 'published rows deleted' },
    );
  });

  it("waits out a failure that is not the message's own, however long, reporting it; never dead-letters it", async () => {
    const deadLetters: { key: string | null; value: string; headers: Record<string, string> }[] = [];
    await collect(Topic.DeadLetter, deadLetters);
    const key = `it-${run}-same-partition`;
    const stuck = `it-${run}-stuck`;
    const next = `it-${run}-after-stuck`;
    const producer = moduleRef.get(KafkaProducer);
    await producer.send([{ topic: TOPIC, key, value: auditEvent(stuck) }]);
    await producer.send([{ topic: TOPIC, key, value: auditEvent(next) }]);

    const status = moduleRef.get(ConsumerStatus);
    const stalled = await expectEventually(
      () => status.stalledPartitions().find((p) => p.error.includes('nobody anticipated')),
      {
        description: 'the stuck partition reported for /health',
      },
    );
    expect(stalled.topic).toBe(TOPIC);
    expect(stalled.consumer).toBe(SERVICE);
    // Well past the five attempts that used to dead-letter it: still waiting, the next message held back in order.
    await expectEventually(() => handled.filter((h) => h.eventId === stuck).length >= 8, {
      description: 'eight attempts',
      timeoutMs: 60000,
    });
    expect(handled.some((h) => h.eventId === next)).toBe(false);
    expect(deadLetters.some((m) => m.value.includes(stuck))).toBe(false);

    releaseStuck = true;
    await expectEventually(() => handled.some((h) => h.eventId === next), {
      description: 'next message handled once the failure is gone',
    });
    const order = handled.map((h) => h.eventId);
    expect(order.lastIndexOf(stuck)).toBeLessThan(order.indexOf(next));
    expect(status.stalledPartitions().some((p) => p.consumer === SERVICE && p.offset === stalled.offset)).toBe(false);
    expect(deadLetters.some((m) => m.value.includes(stuck))).toBe(false);
  });

  it('dead-letters a message its handler refuses at once, with its origin, and the partition moves on', async () => {
    const deadLetters: { key: string | null; value: string; headers: Record<string, string> }[] = [];
    await collect(Topic.DeadLetter, deadLetters);
    const key = `it-${run}-refusal-partition`;
    const refused = `it-${run}-refused`;
    const next = `it-${run}-after-refused`;
    const producer = moduleRef.get(KafkaProducer);
    await producer.send([{ topic: TOPIC, key, value: auditEvent(refused) }]);
    await producer.send([{ topic: TOPIC, key, value: auditEvent(next) }]);

    const dead = await expectEventually(
      () => deadLetters.find((m) => m.headers[DeadLetterHeader.ConsumerGroup] === SERVICE && m.value.includes(refused)),
      { description: 'refused message on the dead-letter topic' },
    );
    expect(dead.headers[DeadLetterHeader.Topic]).toBe(TOPIC);
    expect(Number(dead.headers[DeadLetterHeader.Partition])).toBeGreaterThanOrEqual(0);
    expect(Number(dead.headers[DeadLetterHeader.Offset])).toBeGreaterThanOrEqual(0);
    expect(dead.headers[DeadLetterHeader.Error]).toContain('simulated refusal');
    expect(dead.headers[DeadLetterHeader.Attempts]).toBe('1');
    expect(dead.key).toBe(key);
    await expectEventually(() => handled.some((h) => h.eventId === next), {
      description: 'next message on the partition handled',
    });
    expect(handled.filter((h) => h.eventId === refused)).toHaveLength(1);
  });

  it('dead-letters a message that does not match its contract at once, without retrying it', async () => {
    const deadLetters: { key: string | null; value: string; headers: Record<string, string> }[] = [];
    await collect(Topic.DeadLetter, deadLetters);
    const key = `it-${run}-invalid`;
    await moduleRef
      .get(KafkaProducer)
      .send([{ topic: TOPIC, key, value: { eventId: `it-${run}-invalid`, type: 'no.such.type' } }]);
    const dead = await expectEventually(
      () => deadLetters.find((m) => m.headers[DeadLetterHeader.ConsumerGroup] === SERVICE && m.key === key),
      { description: 'invalid message dead-lettered' },
    );
    expect(dead.headers[DeadLetterHeader.Attempts]).toBe('0');
    expect(dead.headers[DeadLetterHeader.Error]).toMatch(/type/);
    expect(handled.some((h) => h.eventId === `it-${run}-invalid`)).toBe(false);
  });
  it('a batch consumer writes many messages per call, in partition order, isolates a refused one and retries the rest', async () => {
    const deadLetters: { key: string | null; value: string; headers: Record<string, string> }[] = [];
    await collect(Topic.DeadLetter, deadLetters);
    const groupId = `batch-it-${run}`;
    const key = `it-${run}-batch`;
    const ids = Array.from({ length: 40 }, (_, i) => `it-${run}-batch-${String(i).padStart(2, '0')}`);
    const poison = `it-${run}-batch-poison`;
    let glitched = false;
    const invalid = `it-${run}-batch-invalid`;
    const producer = moduleRef.get(KafkaProducer);
    // Produced before the consumer starts, so its first fetch holds them all.
    await producer.send(ids.slice(0, 20).map((id) => ({ topic: TOPIC, key, value: auditEvent(id) })));
    await producer.send([
      { topic: TOPIC, key, value: auditEvent(poison) },
      { topic: TOPIC, key, value: { eventId: invalid, type: 'no.such.type' } },
    ]);
    await producer.send(ids.slice(20).map((id) => ({ topic: TOPIC, key, value: auditEvent(id) })));

    const calls: string[][] = [];
    await moduleRef.get(KafkaBatchConsumers).start({
      groupId,
      topics: [TOPIC],
      messageClass: AuditEvent,
      maxBatch: 100,
      handle: async (events) => {
        const ours = events.map((e) => e.eventId).filter((id) => id.startsWith(`it-${run}-batch`));
        if (ours.length > 0) calls.push(ours);
        if (ours.includes(ids[5]) && !glitched) {
          glitched = true;
          throw new Error('simulated glitch, not the fault of any message');
        }
        if (ours.includes(poison)) throw new MessageRefusedError('simulated refusal');
      },
    });

    await expectEventually(() => calls.some((call) => call.includes(ids[39])), { description: 'last message handled' });
    const dead = await expectEventually(
      () => deadLetters.find((m) => m.headers[DeadLetterHeader.ConsumerGroup] === groupId && m.value.includes(poison)),
      { description: 'failing message dead-lettered by the batch consumer' },
    );
    expect(dead.headers[DeadLetterHeader.Attempts]).toBe('1');
    // The glitch cost nothing: only the refused and the invalid message went to the dead-letter topic.
    expect(
      deadLetters.filter(
        (m) => m.headers[DeadLetterHeader.ConsumerGroup] === groupId && m.value.includes(`it-${run}-batch`),
      ),
    ).toHaveLength(2);
    const invalidDead = await expectEventually(
      () => deadLetters.find((m) => m.headers[DeadLetterHeader.ConsumerGroup] === groupId && m.value.includes(invalid)),
      { description: 'invalid message dead-lettered by the batch consumer' },
    );
    expect(invalidDead.headers[DeadLetterHeader.Attempts]).toBe('0');
    // Batching happened: some call carried more than one message.
    expect(Math.max(...calls.map((call) => call.length))).toBeGreaterThan(1);
    // Every good message was handled, and the order of first handling is the partition order.
    const firstSeen = [...new Set(calls.flat().filter((id) => id !== poison))];
    expect(firstSeen).toEqual(ids);
    // Once in the batch that was refused, once alone (refused again, so dead-lettered).
    expect(calls.flat().filter((id) => id === poison).length).toBe(2);
    expect(glitched).toBe(true);
  });

  it('a consumer with gatherMs takes what trickled in during its pause in one call, in order', async () => {
    const groupId = `gather-it-${run}`;
    const key = `it-${run}-gather`;
    const ids = Array.from({ length: 6 }, (_, i) => `it-${run}-gather-${i}`);
    const producer = moduleRef.get(KafkaProducer);
    const calls: string[][] = [];
    await moduleRef.get(KafkaBatchConsumers).start({
      groupId,
      topics: [TOPIC],
      messageClass: AuditEvent,
      maxBatch: 100,
      // Long enough that the five later messages, sent one by one 50 ms apart, all arrive inside it.
      gatherMs: 4000,
      handle: async (events) => {
        const ours = events.map((e) => e.eventId).filter((id) => id.startsWith(`it-${run}-gather`));
        if (ours.length > 0) calls.push(ours);
      },
    });
    await producer.send([{ topic: TOPIC, key, value: auditEvent(ids[0]) }]);
    await expectEventually(() => calls.length > 0, { description: 'first message handled' });
    for (const id of ids.slice(1)) {
      await producer.send([{ topic: TOPIC, key, value: auditEvent(id) }]);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    await expectEventually(() => calls.flat().includes(ids[5]), { description: 'last message handled' });
    // One call for the first message, one for the five that trickled in during its pause (without gatherMs: one
    // fetch, one call, one transaction and one offset commit each).
    expect(calls).toEqual([[ids[0]], ids.slice(1)]);
  });

  it('batches of several partitions share one call, and a partition that keeps failing holds back only itself', async () => {
    const groupId = `combine-it-${run}`;
    const prefix = `it-${run}-combine`;
    const partitioner = Partitioners.DefaultPartitioner();
    const keys: string[] = [];
    const partitions = new Set<number>();
    for (let i = 0; keys.length < 3; i++) {
      const key = `${prefix}-key-${i}`;
      const partition = partitionOf(partitioner, { topic: TOPIC, key }, 6);
      if (partitions.has(partition)) continue;
      partitions.add(partition);
      keys.push(key);
    }
    const stuck = `${prefix}-0-stuck`;
    const idsOf = (k: number) => Array.from({ length: 5 }, (_, i) => `${prefix}-${k}-${i}`);
    const producer = moduleRef.get(KafkaProducer);
    await producer.send([{ topic: TOPIC, key: keys[0], value: auditEvent(stuck) }]);
    for (let k = 0; k < 3; k++)
      await producer.send(idsOf(k).map((id) => ({ topic: TOPIC, key: keys[k], value: auditEvent(id) })));

    let release = false;
    const calls: string[][] = [];
    const succeeded: string[][] = [];
    await moduleRef.get(KafkaBatchConsumers).start({
      groupId,
      topics: [TOPIC],
      messageClass: AuditEvent,
      // Every partition at once, and room for what earlier tests left on the topic: all first batches can combine.
      maxBatch: 1000,
      partitionsConsumedConcurrently: 6,
      handle: async (events) => {
        const ours = events.map((e) => e.eventId).filter((id) => id.startsWith(prefix));
        if (ours.length > 0) calls.push(ours);
        // Slow work, so that the other partitions' batches arrive while a call runs.
        await new Promise((resolve) => setTimeout(resolve, 200));
        if (ours.includes(stuck) && !release) throw new Error('simulated failure nobody anticipated');
        if (ours.length > 0) succeeded.push(ours);
      },
    });

    const handled = () => new Set(succeeded.flat());
    // The failing partition's retries back off meanwhile; under the full suite's load this has taken over 30 s.
    await expectEventually(() => [...idsOf(1), ...idsOf(2)].every((id) => handled().has(id)), {
      timeoutMs: 75_000,
      description: 'the other partitions handled while one fails',
    });
    expect(idsOf(0).some((id) => handled().has(id))).toBe(false);
    // Some call carried messages of more than one partition.
    const keysIn = (call: string[]) => new Set(call.map((id) => id.slice(prefix.length + 1, prefix.length + 2)));
    expect(Math.max(...calls.map((call) => keysIn(call).size))).toBeGreaterThan(1);

    release = true;
    // Its next retry comes within the backoff cap (5 s), but under the full suite's load it once took over 30 s.
    await expectEventually(() => idsOf(0).every((id) => handled().has(id)), {
      timeoutMs: 75_000,
      description: 'the failing partition goes on once released',
    });
    const firstDone = [...new Set(succeeded.flat())];
    for (let k = 0; k < 3; k++) {
      const order = firstDone.filter((id) => id.startsWith(`${prefix}-${k}-`));
      expect(order).toEqual(k === 0 ? [stuck, ...idsOf(0)] : idsOf(k));
    }
  });
});
