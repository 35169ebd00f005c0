import type { SchemaObject } from 'ajv';
import { classObject } from './alert/alert-content.schema';
import { ROLES } from './audit-event';
import { AGENCY_KINDS } from './reference';

/** JSON Schemas of the reference records (reference.ts) for their compiled validators (compiled-validation.ts). */

const instant: SchemaObject = { type: 'string', check: 'iso8601' };
const optionalInstant: SchemaObject = { type: ['string', 'null'], check: 'iso8601' };

export const AGENCY_RECORD_SCHEMA: SchemaObject = classObject(
  ['id', 'name', 'country', 'kind', 'active', 'updatedAt'],
  {
    id: { type: 'string', matches: 'agencyId' },
    name: { type: 'string', cvLength: [1, 200] },
    country: { type: 'string', matches: 'countryCode' },
    kind: { enum: [...AGENCY_KINDS] },
    active: { type: 'boolean' },
    updatedAt: instant,
  },
);

export const CREDENTIAL_RECORD_SCHEMA: SchemaObject = classObject(
  ['keyId', 'agencyId', 'role', 'secretHash', 'updatedAt'],
  {
    keyId: { type: 'string', cvLength: [1, 64] },
    agencyId: { type: 'string', matches: 'agencyId' },
    role: { enum: [...ROLES] },
    secretHash: { type: 'string', matches: 'secretHash' },
    expiresAt: optionalInstant,
    revokedAt: optionalInstant,
    updatedAt: instant,
  },
);

export const SHARING_GROUP_RECORD_SCHEMA: SchemaObject = classObject(['id', 'name', 'members', 'updatedAt'], {
  id: { type: 'string', cvLength: [1, 64] },
  name: { type: 'string', cvLength: [1, 200] },
  members: { type: 'array', maxItems: 500, items: { type: 'string', matches: 'agencyId' } },
  expiresAt: optionalInstant,
  updatedAt: instant,
});

/** A room's name is optional: records written before rooms carried it still parse, and an erased room's is null. */
export const ROOM_RECORD_SCHEMA: SchemaObject = classObject(['id', 'members', 'closesAt', 'updatedAt'], {
  id: { type: 'string', check: 'uuid' },
  name: { type: ['string', 'null'], cvLength: [1, 200] },
  members: { type: 'array', maxItems: 50, items: { type: 'string', matches: 'agencyId' } },
  closesAt: instant,
  closedAt: optionalInstant,
  updatedAt: instant,
});
