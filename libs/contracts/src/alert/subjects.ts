import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, registerDecorator, ValidationArguments } from 'class-validator';
import {
  IsContainerNumberAsWritten,
  IsImoNumberAsWritten,
  IsIsoCalendarDate,
  IsIsoCountry,
  IsPhoneNumberAsWritten,
} from '../domain/decorators';
import {
  normaliseContainerNumber,
  normaliseDocumentNumber,
  normaliseImo,
  normalisePhone,
  normalisePlate,
} from '../domain/identifiers';
import { ALERT_LIMITS, SUBJECT_TYPES, SubjectType } from './enums';
import { EnumField, NumberField, OptionalField, TextField } from './field-decorators';

export const IDENTIFIER_PATTERN = {
  // Letters of any script: Central Asian plates and documents use Cyrillic as well as Latin.
  regex: /^[\p{L}\p{N}](?:[\p{L}\p{N} ./-]*[\p{L}\p{N}])?$/u,
  message: 'may contain only letters, digits, spaces, ".", "/" and "-", and must start and end with a letter or digit',
};

export const VIN_PATTERN = {
  regex: /^[A-HJ-NPR-Z0-9]{17}$/,
  message: 'must be a 17-character ISO 3779 VIN (digits and capitals except I, O, Q)',
};

/**
 * `canonical` is stamped by the gateway beside the identifier as the officer wrote it (which is kept as written):
 * the normalised form that correlation matches on. A client may not send it (the gateway refuses it as
 * hub-stamped); on Kafka it must be exactly the normalisation of the written field, so it cannot disagree.
 */
function CanonicalOf<T extends object>(
  written: (subject: T) => unknown,
  normalise: (text: string) => string,
): PropertyDecorator {
  return (target: object, propertyKey: string | symbol) => {
    OptionalField()(target, propertyKey);
    registerDecorator({
      name: 'isCanonicalOf',
      target: target.constructor,
      propertyName: propertyKey.toString(),
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => {
          const text = written(args?.object as T);
          return typeof text === 'string' && value === normalise(text);
        },
        defaultMessage: () => 'must be the canonical form of the identifier, as the hub stamps it',
      },
    });
    ApiPropertyOptional({
      type: String,
      readOnly: true,
      description: 'Stamped by the hub: the canonical form of the identifier (never sent by clients)',
    })(target, propertyKey);
  };
}

export class PersonSubject {
  @EnumField(['person'] as const)
  type: 'person';

  @TextField({ max: ALERT_LIMITS.fullName, example: 'Ivan Petrov' })
  fullName: string;

  @OptionalField()
  @IsIsoCalendarDate()
  @ApiPropertyOptional({ type: String, format: 'date', example: '1984-03-21' })
  dateOfBirth?: string;

  @OptionalField()
  @IsIsoCountry()
  @ApiPropertyOptional({ type: String, description: 'ISO 3166-1 alpha-2', example: 'TJ' })
  nationality?: string;

  @TextField({ max: ALERT_LIMITS.documentNumber, optional: true, pattern: IDENTIFIER_PATTERN, example: 'A1234567' })
  documentNumber?: string;

  /** documentNumber normalised (hub-stamped when documentNumber is given) */
  @CanonicalOf<PersonSubject>((s) => s.documentNumber, normaliseDocumentNumber)
  canonical?: string;

  @OptionalField()
  @IsIsoCountry()
  @ApiPropertyOptional({ type: String, description: 'ISO 3166-1 alpha-2 of the issuing state', example: 'TJ' })
  documentCountry?: string;
}

export class VehicleSubject {
  @EnumField(['vehicle'] as const)
  type: 'vehicle';

  @TextField({ max: ALERT_LIMITS.plate, pattern: IDENTIFIER_PATTERN, example: '01 KG 123 ABC' })
  plate: string;

  /** plate normalised (hub-stamped) */
  @CanonicalOf<VehicleSubject>((s) => s.plate, normalisePlate)
  canonical?: string;

  @IsIsoCountry()
  @ApiProperty({ type: String, description: 'ISO 3166-1 alpha-2', example: 'KG' })
  registrationCountry: string;

  @TextField({
    min: 17,
    max: 17,
    optional: true,
    pattern: VIN_PATTERN,
    example: 'WDB9634031L123456',
  })
  vin?: string;
}

export class ContainerSubject {
  @EnumField(['container'] as const)
  type: 'container';

  @IsContainerNumberAsWritten()
  @ApiProperty({
    type: String,
    description: 'ISO 6346 container number with a valid check digit, as written (spaces, dashes, lower case)',
    example: 'CSQU 305438-3',
  })
  number: string;

  /** number normalised (hub-stamped): CSQU3054383 */
  @CanonicalOf<ContainerSubject>((s) => s.number, normaliseContainerNumber)
  canonical?: string;
}

export class ConsignmentSubject {
  @EnumField(['consignment'] as const)
  type: 'consignment';

  @TextField({ max: ALERT_LIMITS.substance, example: 'heroin' })
  substance: string;

  @NumberField({ min: 0, exclusiveMin: true, max: ALERT_LIMITS.maxQuantityKg, example: 12.5 })
  quantityKg: number;

  @TextField({ max: ALERT_LIMITS.concealment, optional: true, example: 'false floor of the trailer' })
  concealment?: string;
}

export class VesselSubject {
  @EnumField(['vessel'] as const)
  type: 'vessel';

  @IsImoNumberAsWritten()
  @ApiProperty({
    type: String,
    description: 'IMO ship number with a valid check digit, with or without the IMO prefix',
    example: 'IMO 9074729',
  })
  imo: string;

  /** imo normalised (hub-stamped): IMO9074729 */
  @CanonicalOf<VesselSubject>((s) => s.imo, normaliseImo)
  canonical?: string;
}

export class PhoneSubject {
  @EnumField(['phone'] as const)
  type: 'phone';

  @IsPhoneNumberAsWritten()
  @ApiProperty({
    type: String,
    description: 'E.164, as written (spaces, dashes, parentheses; 00 for +)',
    example: '+992 93 555-12-34',
  })
  number: string;

  /** number normalised (hub-stamped): +992935551234 */
  @CanonicalOf<PhoneSubject>((s) => s.number, normalisePhone)
  canonical?: string;
}

export type Subject =
  PersonSubject | VehicleSubject | ContainerSubject | ConsignmentSubject | VesselSubject | PhoneSubject;

export const SUBJECT_CLASSES: Readonly<Record<SubjectType, new () => Subject>> = {
  person: PersonSubject,
  vehicle: VehicleSubject,
  container: ContainerSubject,
  consignment: ConsignmentSubject,
  vessel: VesselSubject,
  phone: PhoneSubject,
};

/** Stand-in for an entry whose `type` names no subject class: validation reports `subjects[i].type` only. */
class UnrecognisedSubject {
  @IsIn(SUBJECT_TYPES as unknown as string[], { message: `must be one of: ${SUBJECT_TYPES.join(', ')}` })
  type: unknown;
}

function isSubjectType(value: unknown): value is SubjectType {
  return typeof value === 'string' && (SUBJECT_TYPES as readonly string[]).includes(value);
}

/**
 * Turns one plain entry into the class its `type` names. Non-objects stay invalid for validation to report. class-transformer's own discriminator is not used: it throws on a null entry and silently
 * falls back to the base class on an unknown type.
 */
export function toSubjectInstance(entry: unknown): unknown {
  // class-validator descends into a nested array and would report `subjects[3][0]`; null reports `subjects[3]`.
  if (Array.isArray(entry)) return null;
  if (typeof entry !== 'object' || entry === null) return entry;
  const type: unknown = (entry as { type?: unknown }).type;
  if (!isSubjectType(type)) return plainToInstance(UnrecognisedSubject, { type });
  return plainToInstance(SUBJECT_CLASSES[type], entry);
}

/** Applies toSubjectInstance to every entry of a plain `subjects` array (plain → class only). */
export function SubjectList(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? value.map(toSubjectInstance) : value), {
    toClassOnly: true,
  });
}

/** Subject fields a client may not send (the hub stamps them). */
export const HUB_STAMPED_SUBJECT_FIELDS = ['canonical'] as const;

/** The canonical form of a (valid) subject's identifier, or undefined when it has none. */
export function canonicalIdentifierOf(subject: Subject): string | undefined {
  switch (subject.type) {
    case 'container':
      return normaliseContainerNumber(subject.number);
    case 'vessel':
      return normaliseImo(subject.imo);
    case 'phone':
      return normalisePhone(subject.number);
    case 'vehicle':
      return normalisePlate(subject.plate);
    case 'person':
      return subject.documentNumber === undefined ? undefined : normaliseDocumentNumber(subject.documentNumber);
    default:
      return undefined;
  }
}

/** Stamps every subject's canonical identifier beside the text as written (which stays as it was). */
export function stampCanonicalIdentifiers(subjects: Subject[]): void {
  for (const subject of subjects) {
    if (subject.type === 'consignment') continue;
    const canonical = canonicalIdentifierOf(subject);
    if (canonical === undefined) delete subject.canonical;
    else subject.canonical = canonical;
  }
}

/** Hub-stamped fields present in a plain body's subjects, as field errors (the body is untrusted: read defensively). */
export function hubStampedSubjectFieldErrors(plain: unknown): { path: string; message: string }[] {
  const subjects = typeof plain === 'object' && plain !== null ? (plain as { subjects?: unknown }).subjects : undefined;
  if (!Array.isArray(subjects)) return [];
  return subjects.flatMap((subject: unknown, index) =>
    typeof subject === 'object' && subject !== null && !Array.isArray(subject)
      ? HUB_STAMPED_SUBJECT_FIELDS.filter((field) => Object.prototype.hasOwnProperty.call(subject, field)).map(
          (field) => ({
            path: `subjects[${index}].${field}`,
            message: 'is stamped by the hub and must not be sent',
          }),
        )
      : [],
  );
}

/** A stored subject list without the hub-stamped fields: what a client may send again (forwarding). */
export function withoutHubStampedSubjectFields(subjects: readonly unknown[]): unknown[] {
  return subjects.map((subject) => {
    if (typeof subject !== 'object' || subject === null) return subject;
    const { canonical: _canonical, ...rest } = subject as Record<string, unknown>;
    return rest;
  });
}
