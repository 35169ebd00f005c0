import { randomUUID } from 'node:crypto';
import {
  AlertDeliveredMessage,
  AlertErasedMessage,
  AlertRoutedMessage,
  AlertSubmittedMessage,
} from '@hub/contracts/messages';
import { RoutingReason } from '@hub/contracts/policy';
import { Topic } from '@hub/contracts/topics';
import {
  alertBody,
  awaitDeliveries,
  createAgency,
  expectEventually,
  queryDatabase,
  TestAgency,
  testKafka,
} from '@hub/testing';

/**
 * Kafka delivers at least once: a consumer that restarts before committing sees the same message again. Here the
 * same message is published twice on purpose; the effects must happen once.
 */
describe('redelivered Kafka messages have their effect exactly once', () => {
  const kafka = testKafka('redelivery-test');
  const producer = kafka.producer();
  let sender: TestAgency;
  let recipient: TestAgency;

  beforeAll(async () => {
    await producer.connect();
    [sender, recipient] = await Promise.all([createAgency('TM'), createAgency('AZ')]);
  });

  afterAll(async () => {
    await producer.disconnect();
  });

  it('the same routed version twice gives one inbox entry per recipient and one delivery audit event each', async () => {
    const third = await createAgency('KG');
    const routed: AlertRoutedMessage = {
      sourceMessageId: randomUUID(),
      kind: 'alert',
      alertId: randomUUID(),
      version: 1,
      sender: sender.id,
      decidedAt: new Date().toISOString(),
      deliveries: [
        { deliveryId: randomUUID(), recipient: recipient.id, kind: 'alert' },
        { deliveryId: randomUUID(), recipient: third.id, kind: 'alert' },
      ],
    };
    const record = { topic: Topic.AlertsRouted, messages: [{ key: routed.alertId, value: JSON.stringify(routed) }] };
    await producer.send(record);
    await producer.send(record);
    // A marker sent after both copies on the same partition (same key): once it is in, both copies were consumed.
    const marker = {
      ...routed,
      alertId: randomUUID(),
      deliveries: [{ deliveryId: randomUUID(), recipient: recipient.id, kind: 'alert' as const }],
    };
    await producer.send({
      topic: Topic.AlertsRouted,
      messages: [{ key: routed.alertId, value: JSON.stringify(marker) }],
    });
    await awaitDeliveries(recipient.key, marker.alertId, (entries) => entries.length === 1);

    for (const delivery of routed.deliveries) {
      const rows = await queryDatabase(`SELECT recipient FROM gateway.inbox WHERE delivery_id = $1`, [
        delivery.deliveryId,
      ]);
      expect(rows).toEqual([{ recipient: delivery.recipient }]);
    }
    for (const delivery of routed.deliveries)
      expect(await countAuditEvents(`delivered:${delivery.deliveryId}`)).toBe(1);
  });

  it('a delivery on the superseded per-recipient topic (in flight at an upgrade) is still stored, once', async () => {
    const delivery: AlertDeliveredMessage = {
      deliveryId: randomUUID(),
      sourceMessageId: randomUUID(),
      kind: 'alert',
      alertId: randomUUID(),
      version: 1,
      sender: sender.id,
      recipient: recipient.id,
      decidedAt: new Date().toISOString(),
      alert: alertBody([recipient.id]) as never,
    };
    const record = { topic: Topic.AlertsDelivered, messages: [{ key: recipient.id, value: JSON.stringify(delivery) }] };
    await producer.send(record);
    await producer.send(record);
    const marker = { ...delivery, deliveryId: randomUUID(), alertId: randomUUID() };
    await producer.send({
      topic: Topic.AlertsDelivered,
      messages: [{ key: recipient.id, value: JSON.stringify(marker) }],
    });
    await awaitDeliveries(recipient.key, marker.alertId, (entries) => entries.length === 1);

    const rows = await queryDatabase(`SELECT seq FROM gateway.inbox WHERE delivery_id = $1`, [delivery.deliveryId]);
    expect(rows).toHaveLength(1);
    expect(await countAuditEvents(`delivered:${delivery.deliveryId}`)).toBe(1);
  });

  it('the same submission twice is routed once: one decision per candidate, one delivery per recipient', async () => {
    const message: AlertSubmittedMessage = {
      messageId: randomUUID(),
      kind: 'alert',
      alertId: randomUUID(),
      version: 1,
      sender: sender.id,
      senderKeyId: sender.keyId,
      receivedAt: new Date().toISOString(),
      alert: alertBody([recipient.id]) as never,
    };
    const record = {
      topic: Topic.AlertsSubmitted,
      messages: [{ key: message.alertId, value: JSON.stringify(message) }],
    };
    await producer.send(record);
    await producer.send(record);
    await awaitDeliveries(recipient.key, message.alertId, (entries) => entries.length >= 1);
    const marker = { ...message, messageId: randomUUID(), version: 2, kind: 'update' as const };
    await producer.send({
      topic: Topic.AlertsSubmitted,
      messages: [{ key: message.alertId, value: JSON.stringify(marker) }],
    });
    await awaitDeliveries(recipient.key, message.alertId, (entries) => entries.some((e) => e.version === 2));

    const decisions = await queryDatabase(
      `SELECT recipient FROM coordination.routing_decisions WHERE alert_id = $1 AND version = 1`,
      [message.alertId],
    );
    expect(new Set(decisions.map((d) => d.recipient)).size).toBe(decisions.length);
    const inboxRows = await queryDatabase(
      `SELECT 1 FROM gateway.inbox WHERE alert_id = $1 AND version = 1 AND kind <> 'match'`,
      [message.alertId],
    );
    expect(inboxRows).toHaveLength(1);
  });

  it('a version that reaches the node after its alert was erased is decided but sent to nobody (withheld as ERASED)', async () => {
    const alertId = randomUUID();
    const erasure: AlertErasedMessage = { alertId, cause: 'request', erasedAt: new Date().toISOString() };
    await producer.send({ topic: Topic.AlertErasures, messages: [{ key: alertId, value: JSON.stringify(erasure) }] });
    await expectEventually(
      async () =>
        (await queryDatabase(`SELECT 1 FROM coordination.erased_alerts WHERE alert_id = $1`, [alertId])).length === 1,
      {
        timeoutMs: 30_000,
        description: 'the node recorded the erasure',
      },
    );
    const late: AlertSubmittedMessage = {
      messageId: randomUUID(),
      kind: 'alert',
      alertId,
      version: 1,
      sender: sender.id,
      senderKeyId: sender.keyId,
      receivedAt: new Date().toISOString(),
      alert: alertBody([recipient.id]) as never,
    };
    await producer.send({ topic: Topic.AlertsSubmitted, messages: [{ key: alertId, value: JSON.stringify(late) }] });
    const decisions = await expectEventually(
      async () => {
        const rows = await queryDatabase(
          `SELECT recipient, decision, reason FROM coordination.routing_decisions WHERE alert_id = $1`,
          [alertId],
        );
        return rows.length > 0 ? rows : false;
      },
      { timeoutMs: 30_000, description: 'the late version decided' },
    );
    expect(decisions).toContainEqual({ recipient: recipient.id, decision: 'withheld', reason: RoutingReason.Erased });
    expect(decisions.filter((d) => d.decision === 'delivered')).toEqual([]);
    // No delivery decided means no routed message was enqueued with the decisions: no inbox gets the version.
    expect(await queryDatabase(`SELECT 1 FROM gateway.inbox WHERE alert_id = $1`, [alertId])).toEqual([]);
  });

  /** Counts audit events with this id on the audit topic, read from the start by a fresh consumer group. */
  async function countAuditEvents(eventId: string): Promise<number> {
    const consumer = kafka.consumer({ groupId: `redelivery-count-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: Topic.AuditEventsFromGateway, fromBeginning: true });
    let count = 0;
    let seenMarkerOffsetEnd = false;
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(Topic.AuditEventsFromGateway);
    await admin.disconnect();
    const remaining = new Map(ends.map((p) => [p.partition, Number(p.high)]));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (message.value?.toString().includes(`"eventId":"${eventId}"`)) count++;
        if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) remaining.delete(partition);
        if ([...remaining.values()].every((high) => high === 0)) remaining.clear();
        seenMarkerOffsetEnd = remaining.size === 0;
      },
    });
    for (const [partition, high] of [...remaining]) if (high === 0) remaining.delete(partition);
    await expectEventually(() => seenMarkerOffsetEnd || remaining.size === 0, {
      timeoutMs: 60000,
      description: 'audit topic read to its end',
    });
    await consumer.disconnect();
    return count;
  }
});
