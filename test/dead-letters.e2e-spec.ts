import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Topic } from '@hub/contracts/topics';
import { expectEventually, testEnvironment, testKafka } from '@hub/testing';

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
});
