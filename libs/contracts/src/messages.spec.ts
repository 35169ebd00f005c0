import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { validPlainAlert } from './alert/alert.fixtures';
import { AuditEvent } from './audit-event';
import { AlertDeliveredMessage, AlertRoutedMessage, AlertSubmittedMessage } from './messages';

/** The options KafkaMessageHandler validated with before compiled schemas (and still does for other classes). */
async function accepts(cls: new () => object, plain: object): Promise<boolean> {
  return (await validate(plainToInstance(cls, plain), { whitelist: true, forbidNonWhitelisted: false })).length === 0;
}

const UUID = '3f1c2b9e-8d4a-4c5e-9b7f-0a1b2c3d4e5f';
const submitted = {
  messageId: UUID,
  kind: 'alert',
  alertId: UUID,
  version: 1,
  sender: 'TJ-DCA',
  senderKeyId: 'k1',
  receivedAt: '2026-01-01T00:00:00Z',
};
const routed = {
  sourceMessageId: UUID,
  kind: 'alert',
  alertId: UUID,
  version: 1,
  sender: 'TJ-DCA',
  decidedAt: '2026-01-01T00:00:00Z',
};
const delivery = { deliveryId: UUID, recipient: 'KG-BS', kind: 'alert' };
const event = { eventId: 'e1', type: 'alert.submitted', at: '2026-01-01T00:00:00Z', details: {} };

// ValidateNested alone skips an absent value and validates an array entry by entry: a handler then got no object.
describe('nested message objects are required objects', () => {
  it('a submission needs its alert content as an object', async () => {
    expect(await accepts(AlertSubmittedMessage, { ...submitted, alert: validPlainAlert() })).toBe(true);
    expect(await accepts(AlertSubmittedMessage, submitted)).toBe(false);
    expect(await accepts(AlertSubmittedMessage, { ...submitted, alert: [] })).toBe(false);
    expect(await accepts(AlertSubmittedMessage, { ...submitted, alert: [validPlainAlert()] })).toBe(false);
  });

  it('a legacy delivery needs content unless it is a cancel', async () => {
    const legacy = { ...routed, deliveryId: UUID, recipient: 'KG-BS' };
    expect(await accepts(AlertDeliveredMessage, { ...legacy, alert: validPlainAlert() })).toBe(true);
    expect(await accepts(AlertDeliveredMessage, legacy)).toBe(false);
    expect(await accepts(AlertDeliveredMessage, { ...legacy, alert: [] })).toBe(false);
    expect(await accepts(AlertDeliveredMessage, { ...legacy, kind: 'cancel' })).toBe(true);
  });

  it('an audit event needs its actor as an object', async () => {
    expect(await accepts(AuditEvent, { ...event, actor: { service: 'audit-log' } })).toBe(true);
    expect(await accepts(AuditEvent, event)).toBe(false);
    expect(await accepts(AuditEvent, { ...event, actor: [] })).toBe(false);
  });

  it('a routed version needs each delivery as an object', async () => {
    expect(await accepts(AlertRoutedMessage, { ...routed, deliveries: [delivery] })).toBe(true);
    expect(await accepts(AlertRoutedMessage, { ...routed, deliveries: [[delivery]] })).toBe(false);
    expect(await accepts(AlertRoutedMessage, { ...routed, deliveries: [[]] })).toBe(false);
  });
});
