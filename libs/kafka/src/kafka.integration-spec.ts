import { Controller, INestMicroservice } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload, Transport } from '@nestjs/microservices';
import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditEvent, AuditEventType } from '@hub/contracts/audit-event';
import { DeadLetterHeader, Topic } from '@hub/contracts/topics';
import { expectEventually, testEnvironment } from '@hub/testing';
import { KafkaBatchConsumers } from './batch-consumer';
import { KafkaModule } from './kafka.module';
import { KafkaProducer } from './kafka.producer';
import { KafkaMessageHandler } from './message-handler';
import { OutboxService, outboxTableSql } from './outbox.service';

const env = testEnvironment();
const run = randomUUID().slice(0, 8);
const SCHEMA = 'kafka_it';
const CLIENT_ID = `kafka-it-${run}`;
const MAX_ATTEMPTS = 3;

function auditEvent(eventId: string): AuditEvent {
  return { eventId, type: AuditEventType.AdminAgencyCreated, at: new Date().toISOString(), actor: { service: 'kafka-it' }, details: { run } };
}

/** Records every message of this run; fails every attempt at the poison one. */
const handled: { eventId: string; attempt: number }[] = [];
@Controller()
class FlakyConsumer {
  constructor(private readonly messages: KafkaMessageHandler) {}

  @EventPattern(Topic.AuditEvents)
  async onEvent(@Payload() payload: unknown, @Ctx() context: KafkaContext): Promise<void> {
    await this.messages.handle(context, AuditEvent, payload, async (event) => {
      if (!event.eventId.startsWith(`it-${run}`)) return;
      handled.push({ eventId: event.eventId, attempt: handled.filter((h) => h.eventId === event.eventId).length + 1 });
      if (event.eventId.endsWith('poison')) throw new Error('simulated handler failure');
    });
  }
}

describe('libs/kafka against the real broker and database', () => {
  let moduleRef: TestingModule;
  let microservice: INestMicroservice;
  const consumers: Consumer[] = [];
  const kafka = new Kafka({ clientId: CLIENT_ID, brokers: env.brokers, logLevel: logLevel.NOTHING });

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
          clientId: CLIENT_ID,
          brokers: env.brokers,
          replicationFactor: 1,
          minInsyncReplicas: 1,
          outboxSchema: SCHEMA,
          maxAttempts: MAX_ATTEMPTS,
          retryBackoffMs: 50,
        }),
      ],
      controllers: [FlakyConsumer],
    }).compile();
    microservice = moduleRef.createNestMicroservice({
      transport: Transport.KAFKA,
      options: {
        postfixId: '',
        client: { clientId: CLIENT_ID, brokers: env.brokers, logLevel: logLevel.NOTHING },
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
    await collect(Topic.AuditEvents, seen);
    const eventId = `it-${run}-plain`;
    await moduleRef.get(KafkaProducer).send([{ topic: Topic.AuditEvents, key: eventId, value: auditEvent(eventId) }]);
    const message = await expectEventually(() => seen.find((m) => m.key === eventId), { description: 'message consumed' });
    expect(JSON.parse(message.value).eventId).toBe(eventId);
  });

  it('publishes outbox rows only once their transaction commits, then removes them', async () => {
    const outbox = moduleRef.get(OutboxService);
    const dataSource = moduleRef.get(DataSource);
    const committedId = `it-${run}-outbox-committed`;
    const rolledBackId = `it-${run}-outbox-rolled-back`;
    await expect(
      dataSource.transaction(async (manager) => {
        await outbox.enqueue(manager, [{ topic: Topic.AuditEvents, key: rolledBackId, value: auditEvent(rolledBackId) }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const ids = await dataSource.transaction((manager) =>
      outbox.enqueue(manager, [{ topic: Topic.AuditEvents, key: committedId, value: auditEvent(committedId) }]),
    );
    await outbox.publish(ids);
    const [{ pending }] = await dataSource.query(`SELECT count(*)::int AS pending FROM ${SCHEMA}.outbox`);
    expect(pending).toBe(0);
    await expectEventually(() => handled.some((h) => h.eventId === committedId), { description: 'outbox message consumed' });
    expect(handled.some((h) => h.eventId === rolledBackId)).toBe(false);
  });

  it('dead-letters a message whose handler keeps failing after bounded retries, and the partition moves on', async () => {
    const deadLetters: { key: string | null; value: string; headers: Record<string, string> }[] = [];
    await collect(Topic.DeadLetter, deadLetters);
    const key = `it-${run}-same-partition`;
    const poison = `it-${run}-poison`;
    const next = `it-${run}-after-poison`;
    const producer = moduleRef.get(KafkaProducer);
    await producer.send([{ topic: Topic.AuditEvents, key, value: auditEvent(poison) }]);
    await producer.send([{ topic: Topic.AuditEvents, key, value: auditEvent(next) }]);

    const dead = await expectEventually(
      () => deadLetters.find((m) => m.headers[DeadLetterHeader.ConsumerGroup] === CLIENT_ID && m.value.includes(poison)),
      { description: 'poison message on the dead-letter topic' },
    );
    expect(dead.headers[DeadLetterHeader.Topic]).toBe(Topic.AuditEvents);
    expect(Number(dead.headers[DeadLetterHeader.Partition])).toBeGreaterThanOrEqual(0);
    expect(Number(dead.headers[DeadLetterHeader.Offset])).toBeGreaterThanOrEqual(0);
    expect(dead.headers[DeadLetterHeader.Error]).toContain('simulated handler failure');
    expect(dead.headers[DeadLetterHeader.Attempts]).toBe(String(MAX_ATTEMPTS));
    expect(dead.key).toBe(key);

    await expectEventually(() => handled.some((h) => h.eventId === next), { description: 'next message on the partition handled' });
    expect(handled.filter((h) => h.eventId === poison)).toHaveLength(MAX_ATTEMPTS);
    const order = handled.map((h) => h.eventId);
    expect(order.lastIndexOf(poison)).toBeLessThan(order.indexOf(next));
  });

  it('dead-letters a message that does not match its contract at once, without retrying it', async () => {
    const deadLetters: { key: string | null; value: string; headers: Record<string, string> }[] = [];
    await collect(Topic.DeadLetter, deadLetters);
    const key = `it-${run}-invalid`;
    await moduleRef.get(KafkaProducer).send([{ topic: Topic.AuditEvents, key, value: { eventId: `it-${run}-invalid`, type: 'no.such.type' } }]);
    const dead = await expectEventually(
      () => deadLetters.find((m) => m.headers[DeadLetterHeader.ConsumerGroup] === CLIENT_ID && m.key === key),
      { description: 'invalid message dead-lettered' },
    );
    expect(dead.headers[DeadLetterHeader.Attempts]).toBe('0');
    expect(dead.headers[DeadLetterHeader.Error]).toMatch(/type/);
    expect(handled.some((h) => h.eventId === `it-${run}-invalid`)).toBe(false);
  });
  it('a batch consumer writes many messages per call, in partition order, and isolates a failing one', async () => {
    const deadLetters: { key: string | null; value: string; headers: Record<string, string> }[] = [];
    await collect(Topic.DeadLetter, deadLetters);
    const groupId = `batch-it-${run}`;
    const key = `it-${run}-batch`;
    const ids = Array.from({ length: 40 }, (_, i) => `it-${run}-batch-${String(i).padStart(2, '0')}`);
    const poison = `it-${run}-batch-poison`;
    const invalid = `it-${run}-batch-invalid`;
    const producer = moduleRef.get(KafkaProducer);
    // Produced before the consumer starts, so its first fetch holds them all.
    await producer.send(ids.slice(0, 20).map((id) => ({ topic: Topic.AuditEvents, key, value: auditEvent(id) })));
    await producer.send([
      { topic: Topic.AuditEvents, key, value: auditEvent(poison) },
      { topic: Topic.AuditEvents, key, value: { eventId: invalid, type: 'no.such.type' } },
    ]);
    await producer.send(ids.slice(20).map((id) => ({ topic: Topic.AuditEvents, key, value: auditEvent(id) })));

    const calls: string[][] = [];
    await moduleRef.get(KafkaBatchConsumers).start({
      groupId,
      topic: Topic.AuditEvents,
      messageClass: AuditEvent,
      maxBatch: 100,
      handle: async (events) => {
        const ours = events.map((e) => e.eventId).filter((id) => id.startsWith(`it-${run}-batch`));
        if (ours.length > 0) calls.push(ours);
        if (ours.includes(poison)) throw new Error('simulated batch failure');
      },
    });

    await expectEventually(() => calls.some((call) => call.includes(ids[39])), { description: 'last message handled' });
    const dead = await expectEventually(
      () => deadLetters.find((m) => m.headers[DeadLetterHeader.ConsumerGroup] === groupId && m.value.includes(poison)),
      { description: 'failing message dead-lettered by the batch consumer' },
    );
    expect(dead.headers[DeadLetterHeader.Attempts]).toBe(String(MAX_ATTEMPTS));
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
    expect(calls.flat().filter((id) => id === poison).length).toBe(1 + MAX_ATTEMPTS);
  });
});
