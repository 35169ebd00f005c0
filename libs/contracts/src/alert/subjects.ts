import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn } from 'class-validator';
import { IsE164, IsImoNumber, IsIso6346, IsIsoCalendarDate, IsIsoCountry } from '../domain/decorators';
import { ALERT_LIMITS, SUBJECT_TYPES, SubjectType } from './enums';
import { EnumField, NumberField, OptionalField, TextField } from './field-decorators';

const IDENTIFIER_PATTERN = {
  // Letters of any script: Central Asian plates and documents use Cyrillic as well as Latin.
  regex: /^[\p{L}\p{N}](?:[\p{L}\p{N} ./-]*[\p{L}\p{N}])?$/u,
  message: 'may contain only letters, digits, spaces, ".", "/" and "-", and must start and end with a letter or digit',
};

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

  @IsIsoCountry()
  @ApiProperty({ type: String, description: 'ISO 3166-1 alpha-2', example: 'KG' })
  registrationCountry: string;

  @TextField({
    min: 17,
    max: 17,
    optional: true,
    pattern: { regex: /^[A-HJ-NPR-Z0-9]{17}$/, message: 'must be a 17-character ISO 3779 VIN (digits and capitals except I, O, Q)' },
    example: 'WDB9634031L123456',
  })
  vin?: string;
}

export class ContainerSubject {
  @EnumField(['container'] as const)
  type: 'container';

  @IsIso6346()
  @ApiProperty({ type: String, description: 'ISO 6346 container number with a valid check digit', example: 'CSQU3054383' })
  number: string;
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

  @IsImoNumber()
  @ApiProperty({ type: String, description: 'IMO ship number with a valid check digit', example: 'IMO 9074729' })
  imo: string;
}

export class PhoneSubject {
  @EnumField(['phone'] as const)
  type: 'phone';

  @IsE164()
  @ApiProperty({ type: String, description: 'E.164', example: '+992372212345' })
  number: string;
}

export type Subject = PersonSubject | VehicleSubject | ContainerSubject | ConsignmentSubject | VesselSubject | PhoneSubject;

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
