import type { SchemaObject } from 'ajv';
import { ALERT_CONTENT_SCHEMA, classObject } from './alert/alert-content.schema';
import { DELIVERY_KINDS, ERASURE_CAUSES, ROUTED_DELIVERIES_MAX } from './messages';
import { ALERT_SIGNATURE_MAX_LENGTH } from './signing/alert-signature';

/**
 * JSON Schemas of the message classes of messages.ts, for the compiled validators of internal topics
 * (compiled-validation.ts): property for property the decorators of the class. @IsOptional is
 * `type: [..., 'null']` (class-validator skips null too); see schema-keywords.ts for the added keywords.
 */

const uuid: SchemaObject = { type: 'string', check: 'uuid' };
const instant: SchemaObject = { type: 'string', check: 'iso8601' };
const agencyId: SchemaObject = { type: 'string', matches: 'agencyId' };
const version: SchemaObject = { type: 'integer', minimum: 1 };
const kind: SchemaObject = { enum: [...DELIVERY_KINDS] };
const cancelReason: SchemaObject = { type: ['string', 'null'], cvLength: [1, 2000] };
const signature: SchemaObject = {
  type: ['string', 'null'],
  cvLength: [1, ALERT_SIGNATURE_MAX_LENGTH],
  matches: 'detachedJws',
};
const withdrawn: SchemaObject = { type: ['boolean', 'null'] };

export const ALERT_SUBMITTED_SCHEMA: SchemaObject = classObject(
  ['messageId', 'kind', 'alertId', 'version', 'sender', 'senderKeyId', 'receivedAt', 'alert'],
  {
    messageId: uuid,
    kind,
    alertId: uuid,
    version,
    sender: agencyId,
    senderKeyId: { type: 'string', cvLength: [1, 64] },
    receivedAt: instant,
    alert: ALERT_CONTENT_SCHEMA,
    cancelReason,
    signature,
  },
);

export const ALERT_DELIVERED_SCHEMA: SchemaObject = classObject(
  ['deliveryId', 'sourceMessageId', 'kind', 'alertId', 'version', 'sender', 'recipient', 'decidedAt'],
  {
    deliveryId: uuid,
    sourceMessageId: uuid,
    kind,
    alertId: uuid,
    version,
    sender: agencyId,
    recipient: agencyId,
    decidedAt: instant,
    // @ValidateIf(kind !== 'cancel'): a cancel's `alert` is not examined at all, so it is kept as it came
    alert: {},
    cancelReason,
    withdrawn,
    signature,
  },
  {
    if: { required: ['kind'], properties: { kind: { const: 'cancel' } } },
    else: { required: ['alert'], properties: { alert: ALERT_CONTENT_SCHEMA } },
  },
);

const ROUTED_DELIVERY_SCHEMA: SchemaObject = classObject(['deliveryId', 'recipient', 'kind'], {
  deliveryId: uuid,
  recipient: agencyId,
  kind,
  withdrawn,
});

export const ALERT_ROUTED_SCHEMA: SchemaObject = classObject(
  ['sourceMessageId', 'kind', 'alertId', 'version', 'sender', 'decidedAt', 'deliveries'],
  {
    sourceMessageId: uuid,
    kind,
    alertId: uuid,
    version,
    sender: agencyId,
    decidedAt: instant,
    deliveries: { type: 'array', minItems: 1, maxItems: ROUTED_DELIVERIES_MAX, items: ROUTED_DELIVERY_SCHEMA },
  },
);

export const MATCH_NOTICE_SCHEMA: SchemaObject = classObject(
  [
    'noticeId',
    'correlationId',
    'recipient',
    'alertId',
    'version',
    'otherAgencyId',
    'otherAlertIds',
    'restricted',
    'text',
    'foundAt',
  ],
  {
    noticeId: uuid,
    correlationId: uuid,
    recipient: agencyId,
    alertId: uuid,
    version,
    otherAgencyId: agencyId,
    otherAlertIds: { type: 'array', maxItems: 100, items: uuid },
    restricted: { type: 'boolean' },
    text: { type: 'string', cvLength: [1, 1000] },
    foundAt: instant,
  },
);

export const ALERT_ERASED_SCHEMA: SchemaObject = classObject(['alertId', 'cause', 'erasedAt'], {
  alertId: uuid,
  cause: { enum: [...ERASURE_CAUSES] },
  erasedAt: instant,
});
