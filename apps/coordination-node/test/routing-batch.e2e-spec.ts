import { randomUUID } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { AlertSubmittedMessage } from '@hub/contracts/messages';
import { RoutingReason } from '@hub/contracts/policy';
import { Topic } from '@hub/contracts/topics';
import { alertBody, createAgency, expectEventually, queryDatabase, TestAgency, testKafka } from '@hub/testing';

interface DecisionRow {
  version: number;
  recipient: string;
  decision: string;
  reason: string;
}

/**
 * Routing decides a batch of submissions in memory and stores it in one statement (docs/decisions/009-hot-path.md,
 * "set-based routing"). The versions of one alert are produced in one send, so they share a partition and a record
 * batch: the node's routing consumer gets them in one batch.
 */
describe('routing a batch of submissions', () => {
  const kafka = testKafka('routing-batch-test');
  const producer = kafka.producer();
  let sender: TestAgency;
  let a: TestAgency;
  let b: TestAgency;
  let c: TestAgency;
  const alertId = randomUUID();
  let versions: AlertSubmittedMessage[];
  let decided: DecisionRow[];

  const submission = (
    version: number,
    kind: AlertSubmittedMessage['kind'],
    recipients: string[],
    cancelReason?: string,
  ): AlertSubmittedMessage => ({
    messageId: randomUUID(),
    kind,
    alertId,
    version,
    sender: sender.id,
    senderKeyId: sender.keyId,
    receivedAt: new Date().toISOString(),
    alert: alertBody(recipients) as never,
    ...(cancelReason ? { cancelReason } : {}),
  });
  const send = (messages: AlertSubmittedMessage[]) =>
    producer.send({
      topic: Topic.AlertsSubmitted,
      messages: messages.map((m) => ({ key: m.alertId, value: JSON.stringify(m) })),
    });
  /** The node's record of every decision about the alert, for the agencies of this test (others are candidates too). */
  const decisionsOf = async (id: string): Promise<DecisionRow[]> =>
    queryDatabase<DecisionRow>(
      `SELECT version, recipient, decision, reason FROM coordination.routing_decisions WHERE alert_id = $1 AND recipient = ANY($2::text[])
       ORDER BY version, recipient`,
      [id, [sender.id, a.id, b.id, c.id]],
    );
  const inboxOf = async (id: string) =>
    queryDatabase<{ recipient: string; version: number; kind: string }>(
      `SELECT recipient, version, kind FROM gateway.inbox WHERE alert_id = $1 AND kind <> 'match' ORDER BY version, recipient`,
      [id],
    );

  beforeAll(async () => {
    await producer.connect();
    [sender, a, b, c] = await Promise.all([
      createAgency('TJ'),
      createAgency('KG'),
      createAgency('KZ'),
      createAgency('UZ'),
    ]);
    versions = [
      submission(1, 'alert', [a.id, b.id]),
      submission(2, 'update', [a.id, c.id]),
      submission(3, 'cancel', [a.id, c.id], 'Cleared'),
    ];
  });

  afterAll(async () => {
    await producer.disconnect();
  });

  it('decides each version of one batch on the recipients of the versions before it: recall reaches everyone', async () => {
    await send(versions);
    decided = await expectEventually(
      async () => {
        const rows = await decisionsOf(alertId);
        return rows.filter((row) => row.version === 3).length === 4 ? rows : false;
      },
      { timeoutMs: 60_000, description: 'the three versions routed' },
    );
    const of = (version: number, agency: TestAgency) => {
      const rows = decided.filter((row) => row.version === version && row.recipient === agency.id);
      expect(rows).toHaveLength(1); // every candidate exactly one decision
      return { decision: rows[0].decision, reason: rows[0].reason };
    };
    expect(of(1, a)).toEqual({ decision: 'delivered', reason: RoutingReason.Addressed });
    expect(of(1, b)).toEqual({ decision: 'delivered', reason: RoutingReason.Addressed });
    expect(of(1, c)).toEqual({ decision: 'withheld', reason: RoutingReason.NotAddressed });
    expect(of(1, sender)).toEqual({ decision: 'withheld', reason: RoutingReason.Sender });
    // The update sees version 1's recipients although version 1 was stored by the same statement.
    expect(of(2, a)).toEqual({ decision: 'delivered', reason: RoutingReason.Addressed });
    expect(of(2, b)).toEqual({ decision: 'delivered', reason: RoutingReason.RecalledByUpdate });
    expect(of(2, c)).toEqual({ decision: 'delivered', reason: RoutingReason.Addressed });
    for (const agency of [a, b, c])
      expect(of(3, agency)).toEqual({ decision: 'delivered', reason: RoutingReason.PreviousRecipient });
    expect(of(3, sender).decision).toBe('withheld');

    const holders = await queryDatabase(
      `SELECT recipient, first_version, last_version FROM coordination.alert_recipients WHERE alert_id = $1 ORDER BY first_version, recipient`,
      [alertId],
    );
    expect(holders).toEqual(
      [
        { recipient: a.id, first_version: 1, last_version: 3 },
        { recipient: b.id, first_version: 1, last_version: 3 },
        { recipient: c.id, first_version: 2, last_version: 3 },
      ].sort((x, y) => x.first_version - y.first_version || x.recipient.localeCompare(y.recipient)),
    );
    const expectedInbox = [
      { recipient: a.id, version: 1, kind: 'alert' },
      { recipient: b.id, version: 1, kind: 'alert' },
      { recipient: a.id, version: 2, kind: 'update' },
      { recipient: b.id, version: 2, kind: 'cancel' },
      { recipient: c.id, version: 2, kind: 'update' },
      { recipient: a.id, version: 3, kind: 'cancel' },
      { recipient: b.id, version: 3, kind: 'cancel' },
      { recipient: c.id, version: 3, kind: 'cancel' },
    ].sort((x, y) => x.version - y.version || x.recipient.localeCompare(y.recipient));
    await expectEventually(async () => (await inboxOf(alertId)).length === expectedInbox.length, {
      timeoutMs: 60_000,
      description: 'the eight deliveries',
    });
    expect(await inboxOf(alertId)).toEqual(expectedInbox);
  });

  it('the same batch delivered again writes nothing twice', async () => {
    // A marker after the copies on the same partition (same key): once it is routed, the copies were consumed.
    const marker = { ...submission(1, 'alert', [a.id]), alertId: randomUUID() };
    await producer.send({
      topic: Topic.AlertsSubmitted,
      messages: [...versions, marker].map((m) => ({ key: alertId, value: JSON.stringify(m) })),
    });
    await expectEventually(
      async () => (await decisionsOf(marker.alertId)).some((row) => row.decision === 'delivered'),
      {
        timeoutMs: 60_000,
        description: 'the marker routed',
      },
    );
    expect(await decisionsOf(alertId)).toEqual(decided);
    expect(await inboxOf(alertId)).toHaveLength(8);
    // One routing fact and one routed message per version, never a second one from the copies.
    const facts = await countOnTopic(kafka, Topic.AuditEventsFromCoordination, (value) =>
      value.includes(`"eventId":"routing:${alertId}:`),
    );
    expect(facts).toBe(3);
    const routed = await countOnTopic(kafka, Topic.AlertsRouted, (value) => value.includes(`"alertId":"${alertId}"`));
    expect(routed).toBe(3);
  });
});

/** How many messages on `topic`, from its start to its end now, satisfy `matches`. */
async function countOnTopic(kafka: Kafka, topic: string, matches: (value: string) => boolean): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.filter((p) => Number(p.high) > 0).map((p) => [p.partition, Number(p.high)]));
  const consumer = kafka.consumer({ groupId: `routing-batch-count-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      if (message.value && matches(message.value.toString())) count++;
      if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) remaining.delete(partition);
    },
  });
  await expectEventually(() => remaining.size === 0, { timeoutMs: 60_000, description: `${topic} read to its end` });
  await consumer.disconnect();
  return count;
}
