import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Kafka } from 'kafkajs';
import { DeadLetterHeader, HubService, Topic } from '@hub/contracts/topics';
import { api, createAgency, expectEventually, testEnvironment, testKafka } from '@hub/testing';

/**
 * `npm run dead-letters` (tools/lib/dead-letters.ts) against the real broker: a message the gateway's delivery
 * consumer cannot accept is dead-lettered with its origin, listed, and replayed to its origin topic once.
 */
const env = testEnvironment();
const run = promisify(execFile);
const HUB = path.join(__dirname, '..', 'tools', 'bootstrap.js');

async function deadLetters(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [HUB, 'dead-letters', ...args], {
    env: { ...process.env, KAFKA_BROKERS: env.brokers.join(',') },
  });
  return stdout;
}

/** A replay that refuses something exits with status 2: its output, and that status. */
async function refusedReplay(offset: number): Promise<string> {
  try {
    await deadLetters('replay', '--offset', String(offset));
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    expect(failed.code).toBe(2);
    return failed.stdout ?? '';
  }
  throw new Error('the replay refused nothing');
}

/** A key of our own making, and a credential record for it as the gateway would write it (dated `updatedAt`). */
function mintedCredential(agencyId: string, updatedAt: string) {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const record = {
    keyId,
    agencyId,
    role: 'auditor',
    secretHash: createHash('sha256').update(secret).digest('hex'),
    expiresAt: null,
    revokedAt: null,
    updatedAt,
  };
  return { key: `ahk_${keyId}_${secret}`, keyId, record };
}

async function produceAs(kafka: Kafka, topic: Topic, key: string, value: string, headers?: Record<string, string>) {
  const producer = kafka.producer();
  await producer.connect();
  try {
    const [metadata] = await producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
    return Number(metadata.baseOffset);
  } finally {
    await producer.disconnect();
  }
}

/** The records of `topic` up to its current end that carry a replay header naming the dead letter at `offset`. */
async function replayedCopies(kafka: Kafka, topic: Topic, offset: number): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]),
  );
  let copies = 0;
  if (remaining.size === 0) return copies;
  const consumer = kafka.consumer({ groupId: `dead-letters-e2e-scan-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          if (message.headers?.['x-replayed-from']?.toString() === `${Topic.DeadLetter}@${offset}`) copies++;
          if (Number(message.offset) >= (remaining.get(partition) ?? 0) - 1) remaining.delete(partition);
          if (remaining.size === 0) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return copies;
}

describe('npm run dead-letters', () => {
  const kafka = testKafka('dead-letters-e2e');

  it('lists a dead-lettered message with its origin and replays it to its origin topic, once', async () => {
    const marker = `not-a-delivery-${randomUUID()}`;
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: Topic.AlertsRouted,
        messages: [{ key: 'TJ-DCA', value: JSON.stringify({ marker }) }],
      });
    } finally {
      await producer.disconnect();
    }
    const listed = await expectEventually(
      async () => {
        const lines = (await deadLetters('list'))
          .split('\n')
          .filter((line) => line.includes(marker) || line.includes(Topic.AlertsRouted));
        return lines.find((line) => line.includes('agency-gateway-routed')) ? lines : false;
      },
      { timeoutMs: 60_000, description: 'the invalid delivery listed on the dead-letter topic' },
    );
    const offset = Number(listed.find((line) => line.includes('agency-gateway-routed'))!.split('\t')[0]);
    expect(listed.join('\n')).toContain(`${Topic.AlertsRouted}[`);

    // Replayed to alerts.routed.v1 with a header naming where it came from.
    const seen: { value: string; replayedFrom: string }[] = [];
    const consumer = kafka.consumer({ groupId: `dead-letters-e2e-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: Topic.AlertsRouted, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = message.value?.toString() ?? '';
        if (value.includes(marker))
          seen.push({ value, replayedFrom: message.headers?.['x-replayed-from']?.toString() ?? '' });
      },
    });
    try {
      const output = await deadLetters('replay', '--offset', String(offset));
      expect(output).toContain(`${offset}: replayed to ${Topic.AlertsRouted}`);
      const replayed = await expectEventually(
        () => seen.find((m) => m.replayedFrom === `${Topic.DeadLetter}@${offset}`),
        {
          description: 'the replayed record on its origin topic',
        },
      );
      expect(JSON.parse(replayed.value)).toEqual({ marker });
      expect(seen.filter((m) => m.replayedFrom !== '')).toHaveLength(1);
    } finally {
      await consumer.disconnect();
    }
  });

  describe('a compromised service cannot mint credentials through replay', () => {
    const admin = testKafka('dead-letters-e2e-admin');
    // Every service may write dead letters: here the audit log's own principal does.
    const auditLog = testKafka('dead-letters-e2e-audit-log', HubService.AuditLog);
    let centre: string;

    beforeAll(async () => {
      centre = (await createAgency('KZ', 'regional-centre')).id;
    });

    it('refuses a forged dead letter whose origin is the credentials topic: nothing is replayed, the key never works', async () => {
      const minted = mintedCredential(centre, '9999-12-31T00:00:00.000Z');
      const [{ high }] = await (async () => {
        const client = admin.admin();
        await client.connect();
        try {
          return await client.fetchTopicOffsets(Topic.Credentials);
        } finally {
          await client.disconnect();
        }
      })();
      // It names a real record of the credentials topic (the newest), whose bytes are another key's.
      const offset = await produceAs(auditLog, Topic.DeadLetter, minted.keyId, JSON.stringify(minted.record), {
        [DeadLetterHeader.Topic]: Topic.Credentials,
        [DeadLetterHeader.Partition]: '0',
        [DeadLetterHeader.Offset]: String(Number(high) - 1),
        [DeadLetterHeader.Error]: 'forged',
        [DeadLetterHeader.Attempts]: '1',
        [DeadLetterHeader.ConsumerGroup]: HubService.AuditLog,
      });
      const output = await refusedReplay(offset);
      expect(output).toContain(
        `${offset}: REFUSED, not replayed: it differs from the record at ${Topic.Credentials}[0]@`,
      );
      expect(await replayedCopies(admin, Topic.Credentials, offset)).toBe(0);
      expect((await api(env.audit, 'GET', '/v1/audit/public-key', { key: minted.key })).status).toBe(401);
    });

    it('refuses a dead letter that names no record on its origin topic (an outbox row): nothing vouches for it', async () => {
      const minted = mintedCredential(centre, new Date().toISOString());
      const offset = await produceAs(auditLog, Topic.DeadLetter, minted.keyId, JSON.stringify(minted.record), {
        [DeadLetterHeader.Topic]: Topic.Credentials,
        [DeadLetterHeader.Partition]: '-1',
        [DeadLetterHeader.Offset]: 'outbox:gateway:1',
        [DeadLetterHeader.Error]: 'forged',
        [DeadLetterHeader.Attempts]: '1',
        [DeadLetterHeader.ConsumerGroup]: `${HubService.AgencyGateway}-outbox`,
      });
      expect(await refusedReplay(offset)).toContain(
        `${offset}: REFUSED, not replayed: it names no record of ${Topic.Credentials}`,
      );
      expect(await replayedCopies(admin, Topic.Credentials, offset)).toBe(0);
    });

    it('replicas refuse a credential dated in the future, and dead-letter it', async () => {
      // Even written with the gateway's own principal (the only writer of the topic), as a replay used to.
      const gateway = testKafka('dead-letters-e2e-gateway', HubService.AgencyGateway);
      const future = mintedCredential(centre, '9999-12-31T00:00:00.000Z');
      const now = mintedCredential(centre, new Date().toISOString());
      await produceAs(gateway, Topic.Credentials, future.keyId, JSON.stringify(future.record));
      // One partition: once the record after it applies, the future one has been handled.
      await produceAs(gateway, Topic.Credentials, now.keyId, JSON.stringify(now.record));
      await expectEventually(
        async () => (await api(env.audit, 'GET', '/v1/audit/public-key', { key: now.key })).status === 200,
        { timeoutMs: 60_000, description: 'the audit log applying the record after the future-dated one' },
      );
      await expectEventually(
        async () => (await api(env.coordination, 'GET', '/v1/stats', { key: now.key })).status === 403,
        { timeoutMs: 60_000, description: 'the node applying the record after the future-dated one' },
      );
      expect((await api(env.audit, 'GET', '/v1/audit/public-key', { key: future.key })).status).toBe(401);
      expect((await api(env.coordination, 'GET', '/v1/stats', { key: future.key })).status).toBe(401);
      await expectEventually(
        async () => (await deadLetters('list')).includes(`credential ${future.keyId}: updatedAt: 9999-12-31`),
        { timeoutMs: 60_000, description: 'the future-dated credential on the dead-letter topic' },
      );
    });
  });
});
