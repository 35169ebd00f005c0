import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import { IsIsoCountry, IsIsoInstant } from '../domain/decorators';
import { AGENCY_ID_PATTERN } from '../reference';
import {
  ALERT_CATEGORIES,
  ALERT_LIMITS,
  ALERT_STATUSES,
  AlertCategory,
  AlertStatus,
  CERTAINTIES,
  Certainty,
  DISTRIBUTION_SCOPES,
  DistributionScope,
  HANDLING_CODES,
  HandlingCode,
  INFORMATION_ASSESSMENTS,
  InformationAssessment,
  SEVERITIES,
  Severity,
  SOURCE_RELIABILITIES,
  SourceReliability,
  TLP_LEVELS,
  TlpLevel,
  URGENCIES,
  Urgency,
} from './enums';
import {
  EnumField,
  ListField,
  NestedField,
  NestedListField,
  NumberField,
  OptionalField,
  TextField,
  textProblem,
} from './field-decorators';
import {
  ConsignmentSubject,
  ContainerSubject,
  PersonSubject,
  PhoneSubject,
  Subject,
  SUBJECT_CLASSES,
  SubjectList,
  VehicleSubject,
  VesselSubject,
} from './subjects';

/** alertIds are issued by the hub in canonical lower-case form; one spelling per id keeps lookups exact. */
export function isCanonicalUuid(value: unknown): value is string {
  return typeof value === 'string' && value === value.toLowerCase() && isUUID(value);
}

export function isAgencyId(value: unknown): value is string {
  return typeof value === 'string' && AGENCY_ID_PATTERN.test(value);
}

export function isSharingGroupId(value: unknown): boolean {
  return textProblem(value, { max: ALERT_LIMITS.sharingGroupId }) === null;
}

/** Entry rules of the id lists (recipients, sharing groups, references); the compiled schemas name the same ones. */
export const AGENCY_ID_ITEM = { isValid: isAgencyId, message: 'must be an agency id such as TJ-DCA or CARICC' };
export const SHARING_GROUP_ID_ITEM = {
  isValid: isSharingGroupId,
  message: `must be a sharing group id of 1 to ${ALERT_LIMITS.sharingGroupId} characters`,
};
export const ALERT_ID_ITEM = { isValid: isCanonicalUuid, message: 'must be an alertId (lower-case UUID)' };
export const ROOM_ID_ITEM = { isValid: isCanonicalUuid, message: 'must be a roomId (lower-case UUID)' };

export class Evaluation {
  @EnumField(SOURCE_RELIABILITIES, { description: 'Source reliability (4x4): A, B, C or X', example: 'B' })
  source: SourceReliability;

  @EnumField(INFORMATION_ASSESSMENTS, {
    description: 'Information assessment (4x4): 1 to 4, as an integer',
    example: 2,
  })
  information: InformationAssessment;
}

export class Distribution {
  @EnumField(DISTRIBUTION_SCOPES, {
    description:
      'regional: every active agency except the sender; restricted: recipients and members of the sharing groups',
    example: 'restricted',
  })
  scope: DistributionScope;

  @ListField({
    max: ALERT_LIMITS.recipients,
    unique: true,
    item: AGENCY_ID_ITEM,
    itemPattern: AGENCY_ID_PATTERN.source,
    description: 'Agency ids addressed explicitly. Must be empty when scope is regional; absent means empty.',
    example: ['KG-BS', 'UZ-NCDC'],
    absentMeansEmpty: true,
  })
  recipients: string[] = [];

  @ListField({
    max: ALERT_LIMITS.sharingGroups,
    unique: true,
    item: SHARING_GROUP_ID_ITEM,
    itemMaxLength: ALERT_LIMITS.sharingGroupId,
    description:
      'Sharing group ids. Must be empty when scope is regional, and for TLP RED and AMBER+STRICT; absent means empty.',
    example: [],
    absentMeansEmpty: true,
  })
  sharingGroups: string[] = [];

  // Absent stays absent (no default): the content as the hub stores it, which origin signatures cover, is unchanged
  // for every alert that names no room.
  @ListField({
    max: ALERT_LIMITS.rooms,
    unique: true,
    item: ROOM_ID_ITEM,
    itemFormat: 'uuid',
    description:
      'Operation rooms (roomIds) whose members receive the alert, like a sharing group: the sender must be a member, ' +
      'the room open. Must be empty when scope is regional, and for TLP RED and AMBER+STRICT.',
    example: [],
    absentMeansAbsent: true,
  })
  rooms?: string[];
}

export class Location {
  @IsIsoCountry()
  @ApiProperty({ type: String, description: 'ISO 3166-1 alpha-2', example: 'TJ' })
  country: string;

  @TextField({ max: ALERT_LIMITS.place, optional: true, example: 'Nizhny Panj border crossing' })
  place?: string;

  @NumberField({
    min: -90,
    max: 90,
    requiredWhen: (location) => (location as Location).lon !== undefined,
    example: 37.2,
  })
  lat?: number;

  @NumberField({
    min: -180,
    max: 180,
    requiredWhen: (location) => (location as Location).lat !== undefined,
    example: 68.6,
  })
  lon?: number;
}

/**
 * The alert as an agency writes it (contract v1). Everything the hub stamps (alertId, version, messageId,
 * sender, receivedAt) lives on the message around it, never in here, so a body carrying those is rejected
 * as unknown fields. Context-dependent rules (expiry, TLP and scope) are in domainErrors, reference-data
 * rules in checkDistribution.
 */
@ApiExtraModels(PersonSubject, VehicleSubject, ContainerSubject, ConsignmentSubject, VesselSubject, PhoneSubject)
export class AlertContent {
  @EnumField(ALERT_STATUSES, { example: 'actual' })
  status: AlertStatus;

  @EnumField(ALERT_CATEGORIES, { example: 'suspicious-shipment' })
  category: AlertCategory;

  @EnumField(URGENCIES, { description: 'CAP 1.2 urgency', example: 'expected' })
  urgency: Urgency;

  @EnumField(SEVERITIES, { description: 'CAP 1.2 severity', example: 'severe' })
  severity: Severity;

  @EnumField(CERTAINTIES, { description: 'CAP 1.2 certainty', example: 'likely' })
  certainty: Certainty;

  @TextField({ max: ALERT_LIMITS.headline, example: 'Container with concealed heroin expected at Nizhny Panj' })
  headline: string;

  @TextField({ max: ALERT_LIMITS.description, optional: true, multiline: true })
  description?: string;

  @EnumField(TLP_LEVELS, { description: 'TLP 2.0 label', example: 'AMBER' })
  tlp: TlpLevel;

  @EnumField(HANDLING_CODES, {
    description: 'Europol handling code. H2: no onward dissemination without permission; H3: see handlingConditions',
    example: 'H1',
  })
  handlingCode: HandlingCode;

  @TextField({
    max: ALERT_LIMITS.handlingConditions,
    optional: true,
    multiline: true,
    description: 'Required with handlingCode H3, not allowed otherwise',
  })
  handlingConditions?: string;

  @NestedField(() => Evaluation)
  evaluation: Evaluation;

  @NestedField(() => Distribution)
  distribution: Distribution;

  @NestedField(() => Location)
  location: Location;

  @NestedListField({ max: ALERT_LIMITS.subjects })
  @SubjectList()
  @ApiProperty({
    type: 'array',
    maxItems: ALERT_LIMITS.subjects,
    description: 'Typed subjects; `type` selects the shape. May be empty.',
    items: {
      oneOf: Object.values(SUBJECT_CLASSES).map((subjectClass) => ({ $ref: getSchemaPath(subjectClass) })),
      discriminator: {
        propertyName: 'type',
        mapping: Object.fromEntries(
          Object.entries(SUBJECT_CLASSES).map(([type, subjectClass]) => [type, getSchemaPath(subjectClass)]),
        ),
      },
    },
  })
  subjects: Subject[];

  @OptionalField()
  @IsIsoInstant()
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'Required when subjects include a person or a vehicle; must be in the future when submitted',
    example: '2030-06-01T12:00:00Z',
  })
  expiresAt?: string;

  @ListField({
    max: ALERT_LIMITS.references,
    unique: true,
    item: ALERT_ID_ITEM,
    itemFormat: 'uuid',
    description: 'alertIds of related alerts, visible to the sender. May be empty; absent means empty.',
    example: [],
    absentMeansEmpty: true,
  })
  references: string[] = [];
}
