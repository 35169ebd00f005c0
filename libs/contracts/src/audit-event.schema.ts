import type { SchemaObject } from 'ajv';
import { classObject } from './alert/alert-content.schema';
import { AUDIT_EVENT_TYPES, ROLES } from './audit-event';

/** JSON Schema of AuditEvent (audit-event.ts) for its compiled validator (compiled-validation.ts). */

const optionalText = (max: number): SchemaObject => ({ type: ['string', 'null'], cvLength: [1, max] });

const AUDIT_ACTOR_SCHEMA: SchemaObject = classObject([], {
  agencyId: optionalText(64),
  keyId: optionalText(64),
  role: { enum: [...ROLES, null] },
  service: optionalText(64),
});

export const AUDIT_EVENT_SCHEMA: SchemaObject = classObject(['eventId', 'type', 'at', 'actor', 'details'], {
  eventId: { type: 'string', cvLength: [1, 200] },
  type: { enum: [...AUDIT_EVENT_TYPES] },
  at: { type: 'string', check: 'iso8601' },
  actor: AUDIT_ACTOR_SCHEMA,
  alertId: optionalText(64),
  version: { type: ['integer', 'null'], minimum: 1 },
  recipient: optionalText(64),
  decision: { enum: ['delivered', 'withheld', null] },
  reason: optionalText(200),
  // free-form facts, kept as written (no whitelist inside, as with @IsObject)
  details: { type: 'object' },
});
