import { Logger } from '@nestjs/common';
import { IsString } from 'class-validator';
import { validPlainAlert } from '@hub/contracts/alert/alert.fixtures';
import { AlertSubmittedMessage } from '@hub/contracts/messages';
import { AgencyRecord } from '@hub/contracts/reference';
import { DeadLetterHeader, HubService, Topic } from '@hub/contracts/topics';
import { ConsumerStatus } from './consumer-status';
import { KafkaProducer } from './kafka.producer';
import { ConsumedMessage, KafkaMessageHandler } from './message-handler';

/** The message handler's validation step, with the producer replaced by a recorder (no broker: kafka.integration-spec has one). */

const UUID = '3f1c2b9e-8d4a-4c5e-9b7f-0a1b2c3d4e5f';
const submission = (alert: object, extra: object = {}): Record<string, unknown> => ({
  messageId: UUID,
  kind: 'alert',
  alertId: UUID,
  version: 1,
  sender: 'TJ-DCA',
  senderKeyId: 'k1',
  receivedAt: '2026-12-07T05:00:00Z',
  alert,
  ...extra,
});

function contextOf(value: unknown, offset = '7'): ConsumedMessage {
  return {
    getTopic: () => Topic.AlertsSubmitted,
    getPartition: () => 0,
    getMessage: () => ({ offset, key: UUID, value }),
    getHeartbeat: () => async () => undefined,
  };
}

interface Sent {
  topic: string;
  value: unknown;
  headers?: Record<string, string>;
}

function handlerWithRecorder(): { handler: KafkaMessageHandler; sent: Sent[] } {
  const sent: Sent[] = [];
  const producer = {
    send: async (records: Sent[]) => {
      sent.push(...records);
    },
  } as unknown as KafkaProducer;
  const handler = new KafkaMessageHandler(producer, new ConsumerStatus(), {
    service: HubService.CoordinationNode,
    brokers: [],
    credentials: undefined as never,
    tls: undefined as never,
    replicationFactor: 1,
    minInsyncReplicas: 1,
    outboxSchema: 'coordination',
    retryBackoffMs: 1,
  });
  return { handler, sent };
}

describe('KafkaMessageHandler validation', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  it('hands the handler the validated message: unknown properties removed, absent lists empty', async () => {
    const { handler, sent } = handlerWithRecorder();
    const alert = { ...validPlainAlert(), unexpected: true } as Record<string, unknown>;
    delete alert.references;
    const received: AlertSubmittedMessage[] = [];
    await handler.handleMany(
      [contextOf(Buffer.from(JSON.stringify(submission(alert, { routedBy: 'x' }))))],
      AlertSubmittedMessage,
      async (messages) => {
        received.push(...messages);
      },
    );
    expect(sent).toEqual([]);
    expect(received).toHaveLength(1);
    expect(received[0]).not.toHaveProperty('routedBy');
    expect(received[0].alert).not.toHaveProperty('unexpected');
    expect(received[0].alert.references).toEqual([]);
    expect(received[0].alert.subjects[2]).toEqual({ type: 'container', number: 'CSQU3054383' });
  });

  it('dead-letters an invalid message with the failing field path in the header and the audit fact', async () => {
    const { handler, sent } = handlerWithRecorder();
    const alert = validPlainAlert();
    alert.subjects[4] = { type: 'vessel', imo: 'IMO 9074728' };
    const bytes = JSON.stringify(submission(alert));
    let handled = false;
    await handler.handleMany([contextOf(Buffer.from(bytes))], AlertSubmittedMessage, async () => {
      handled = true;
    });
    expect(handled).toBe(false);
    const [deadLetter, fact] = sent;
    expect(deadLetter.topic).toBe(Topic.DeadLetter);
    expect(deadLetter.value).toEqual(JSON.parse(bytes));
    expect(deadLetter.headers?.[DeadLetterHeader.Error]).toBe(
      'invalid AlertSubmittedMessage: alert.subjects[4].imo: IMO number check digit is wrong (expected 9)',
    );
    expect(fact.value).toMatchObject({
      type: 'message.dead-lettered',
      details: { error: deadLetter.headers?.[DeadLetterHeader.Error], offset: '7' },
    });
  });

  it('dead-letters an already-parsed payload as it came, not as validation left it', async () => {
    const { handler, sent } = handlerWithRecorder();
    const record = {
      id: 'TJ-DCA',
      name: 'Drug Control Agency',
      country: 'TJ',
      kind: 'national-agency',
      active: 'yes',
      updatedAt: '2026-12-07T05:00:00Z',
      note: 'kept',
    };
    const context = contextOf(record);
    await handler.handle(context, AgencyRecord, record, async () => undefined);
    expect(sent[0].headers?.[DeadLetterHeader.Error]).toBe('invalid AgencyRecord: active: must be a boolean');
    expect(sent[0].value).toEqual(record);
    expect(record.note).toBe('kept');
  });

  it('still validates a class without a compiled schema through class-validator', async () => {
    class Ping {
      @IsString() text: string;
    }
    const { handler, sent } = handlerWithRecorder();
    const received: unknown[] = [];
    await handler.handle(contextOf(null), Ping, { text: 'hello', extra: 1 }, async (message) => {
      received.push(message);
    });
    expect(received).toHaveLength(1);
    expect(received[0]).toBeInstanceOf(Ping);
    expect(received[0]).toEqual(Object.assign(new Ping(), { text: 'hello' }));
    await handler.handle(contextOf({ text: 1 }), Ping, { text: 1 }, async () => undefined);
    expect(sent[0].headers?.[DeadLetterHeader.Error]).toMatch(/^invalid Ping: text: /);
  });
});
