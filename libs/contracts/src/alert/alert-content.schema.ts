import type { SchemaObject } from 'ajv';
import type { CanonicalOfKeyword, ListKeyword, TextKeyword } from '../schema-keywords';
import type { NumberRule } from './field-decorators';
import {
  ALERT_CATEGORIES,
  ALERT_LIMITS,
  ALERT_STATUSES,
  CERTAINTIES,
  DISTRIBUTION_SCOPES,
  HANDLING_CODES,
  INFORMATION_ASSESSMENTS,
  SEVERITIES,
  SOURCE_RELIABILITIES,
  SUBJECT_TYPES,
  TLP_LEVELS,
  URGENCIES,
} from './enums';

/**
 * JSON Schema of AlertContent (alert-content.ts, subjects.ts) for the compiled validators of internal topics
 * (../compiled-validation.ts). Field by field the same rules as the class decorators, through the keywords of
 * ../schema-keywords.ts; `additionalProperties: false` strips what the class's whitelist strips, and `default: []`
 * stands for the class's `= []` initialisers. compiled-validation.property.spec.ts checks it against the class.
 */

/** @TextField(rule) */
export function textField(rule: TextKeyword): SchemaObject {
  return { type: 'string', text: rule };
}

/** @NumberField(rule) */
function numberField(rule: NumberRule): SchemaObject {
  return { type: 'number', number: rule };
}

/** @ListField(rule) with absentMeansEmpty: the class initialises the property to `[]`. */
function idList(rule: ListKeyword): SchemaObject {
  return { type: 'array', default: [], list: rule };
}

/** A class-shaped object: only the declared properties are kept (class-validator's whitelist). */
export function classObject(
  required: string[],
  properties: Record<string, SchemaObject>,
  extra: SchemaObject = {},
): SchemaObject {
  return { type: 'object', required, properties, additionalProperties: false, ...extra };
}

const canonical = (rule: CanonicalOfKeyword): SchemaObject => ({ canonicalOf: rule });

const SUBJECT_SCHEMAS: SchemaObject[] = [
  classObject(
    ['type', 'fullName'],
    {
      type: { const: 'person' },
      fullName: textField({ max: ALERT_LIMITS.fullName }),
      dateOfBirth: { type: 'string', check: 'isoCalendarDate' },
      nationality: { type: 'string', check: 'isoCountry' },
      documentNumber: textField({ max: ALERT_LIMITS.documentNumber, pattern: 'identifier' }),
      canonical: {},
      documentCountry: { type: 'string', check: 'isoCountry' },
    },
    canonical({ written: 'documentNumber', normalise: 'documentNumber' }),
  ),
  classObject(
    ['type', 'plate', 'registrationCountry'],
    {
      type: { const: 'vehicle' },
      plate: textField({ max: ALERT_LIMITS.plate, pattern: 'identifier' }),
      canonical: {},
      registrationCountry: { type: 'string', check: 'isoCountry' },
      vin: textField({ min: 17, max: 17, pattern: 'vin' }),
    },
    canonical({ written: 'plate', normalise: 'plate' }),
  ),
  classObject(
    ['type', 'number'],
    { type: { const: 'container' }, number: { type: 'string', check: 'containerNumberAsWritten' }, canonical: {} },
    canonical({ written: 'number', normalise: 'containerNumber' }),
  ),
  classObject(['type', 'substance', 'quantityKg'], {
    type: { const: 'consignment' },
    substance: textField({ max: ALERT_LIMITS.substance }),
    quantityKg: numberField({ min: 0, exclusiveMin: true, max: ALERT_LIMITS.maxQuantityKg }),
    concealment: textField({ max: ALERT_LIMITS.concealment }),
  }),
  classObject(
    ['type', 'imo'],
    { type: { const: 'vessel' }, imo: { type: 'string', check: 'imoNumberAsWritten' }, canonical: {} },
    canonical({ written: 'imo', normalise: 'imo' }),
  ),
  classObject(
    ['type', 'number'],
    { type: { const: 'phone' }, number: { type: 'string', check: 'phoneNumberAsWritten' }, canonical: {} },
    canonical({ written: 'number', normalise: 'phone' }),
  ),
];

if (
  SUBJECT_SCHEMAS.map((schema) => (schema.properties as { type: { const: string } }).type.const).join() !==
  SUBJECT_TYPES.join()
) {
  throw new Error('alert-content.schema.ts: one subject schema per SUBJECT_TYPES entry, in order');
}

export const ALERT_CONTENT_SCHEMA: SchemaObject = classObject(
  [
    'status',
    'category',
    'urgency',
    'severity',
    'certainty',
    'headline',
    'tlp',
    'handlingCode',
    'evaluation',
    'distribution',
    'location',
    'subjects',
  ],
  {
    status: { enum: [...ALERT_STATUSES] },
    category: { enum: [...ALERT_CATEGORIES] },
    urgency: { enum: [...URGENCIES] },
    severity: { enum: [...SEVERITIES] },
    certainty: { enum: [...CERTAINTIES] },
    headline: textField({ max: ALERT_LIMITS.headline }),
    description: textField({ max: ALERT_LIMITS.description, multiline: true }),
    tlp: { enum: [...TLP_LEVELS] },
    handlingCode: { enum: [...HANDLING_CODES] },
    handlingConditions: textField({ max: ALERT_LIMITS.handlingConditions, multiline: true }),
    evaluation: classObject(['source', 'information'], {
      source: { enum: [...SOURCE_RELIABILITIES] },
      information: { enum: [...INFORMATION_ASSESSMENTS] },
    }),
    distribution: classObject(['scope'], {
      scope: { enum: [...DISTRIBUTION_SCOPES] },
      recipients: idList({ max: ALERT_LIMITS.recipients, unique: true, item: 'agencyId' }),
      sharingGroups: idList({ max: ALERT_LIMITS.sharingGroups, unique: true, item: 'sharingGroupId' }),
      // no default: absent stays absent (see Distribution.rooms)
      rooms: { type: 'array', list: { max: ALERT_LIMITS.rooms, unique: true, item: 'roomId' } },
    }),
    location: classObject(
      ['country'],
      {
        country: { type: 'string', check: 'isoCountry' },
        place: textField({ max: ALERT_LIMITS.place }),
        lat: numberField({ min: -90, max: 90 }),
        lon: numberField({ min: -180, max: 180 }),
      },
      // lat and lon come together (NumberField requiredWhen)
      { dependencies: { lat: ['lon'], lon: ['lat'] } },
    ),
    subjects: {
      type: 'array',
      list: { max: ALERT_LIMITS.subjects },
      items: { type: 'object', discriminator: { propertyName: 'type' }, oneOf: SUBJECT_SCHEMAS },
    },
    expiresAt: { type: 'string', check: 'isoInstant' },
    references: idList({ max: ALERT_LIMITS.references, unique: true, item: 'alertId' }),
  },
);
