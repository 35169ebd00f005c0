import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { isE164 } from './e164';
import { containerNumberProblem } from './iso6346';
import { isIsoCountry } from './iso-country';
import { imoNumberProblem } from './imo';
import { isIsoCalendarDate, isIsoInstant } from './instant';
import {
  writtenContainerNumberProblem,
  writtenImoNumberProblem,
  WrittenIdentifierProblem,
  writtenPhoneNumberProblem,
} from './written-identifiers';

/**
 * A class-validator constraint from a function that explains what is wrong with a value (null: nothing).
 * One constraint, one message: a field gets the single most useful complaint instead of a list of
 * consequences of the same mistake. Messages omit the property name because errors travel with a path
 * (`subjects[2].number`) that already says where.
 */
export function ValidateWith(
  name: string,
  problem: (value: unknown) => string | null,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target: object, propertyKey: string | symbol) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyKey.toString(),
      options,
      validator: {
        validate: (value: unknown) => problem(value) === null,
        defaultMessage: (args?: ValidationArguments) => problem(args?.value) ?? 'is invalid',
      },
    });
  };
}

export const CONTAINER_NUMBER_FORMAT_MESSAGE =
  'must be an ISO 6346 container number: 3-letter owner code, category U, J or Z, 6 digits and the check digit (e.g. CSQU3054383)';
export const IMO_NUMBER_FORMAT_MESSAGE = 'must be an IMO ship number: IMO and 7 digits (e.g. IMO 9074729)';

export const ISO_COUNTRY_MESSAGE = 'must be an ISO 3166-1 alpha-2 country code in upper case (e.g. TJ)';
export const E164_MESSAGE = 'must be an E.164 phone number: + and 8 to 15 digits, no spaces (e.g. +992372212345)';
export const ISO_INSTANT_MESSAGE = 'must be an ISO 8601 date-time with a time zone offset (e.g. 2030-06-01T12:00:00Z)';
export const ISO_CALENDAR_DATE_MESSAGE = 'must be a calendar date YYYY-MM-DD (e.g. 1984-03-21)';

export function IsIsoCountry(options?: ValidationOptions): PropertyDecorator {
  return ValidateWith('isIsoCountry', (value) => (isIsoCountry(value) ? null : ISO_COUNTRY_MESSAGE), options);
}

export function IsIso6346(options?: ValidationOptions): PropertyDecorator {
  return ValidateWith(
    'isIso6346',
    (value) => {
      const problem = containerNumberProblem(value);
      if (problem === null) return null;
      return problem.kind === 'check-digit'
        ? `container number check digit is wrong (expected ${problem.expected})`
        : CONTAINER_NUMBER_FORMAT_MESSAGE;
    },
    options,
  );
}

export function IsImoNumber(options?: ValidationOptions): PropertyDecorator {
  return ValidateWith(
    'isImoNumber',
    (value) => {
      const problem = imoNumberProblem(value);
      if (problem === null) return null;
      return problem.kind === 'check-digit'
        ? `IMO number check digit is wrong (expected ${problem.expected})`
        : IMO_NUMBER_FORMAT_MESSAGE;
    },
    options,
  );
}

export function IsE164(options?: ValidationOptions): PropertyDecorator {
  return ValidateWith('isE164', (value) => (isE164(value) ? null : E164_MESSAGE), options);
}

export function IsIsoInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateWith('isIsoInstant', (value) => (isIsoInstant(value) ? null : ISO_INSTANT_MESSAGE), options);
}

export function IsIsoCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateWith(
    'isIsoCalendarDate',
    (value) => (isIsoCalendarDate(value) ? null : ISO_CALENDAR_DATE_MESSAGE),
    options,
  );
}

function writtenProblemMessage(problem: WrittenIdentifierProblem, what: string, format: string): string {
  if (problem.kind === 'text') return problem.message;
  return problem.kind === 'check-digit' ? `${what} check digit is wrong (expected ${problem.expected})` : format;
}

export const WRITTEN_CONTAINER_NUMBER_MESSAGE =
  'must be an ISO 6346 container number: 3-letter owner code, category U, J or Z, 6 digits and the check digit; spaces, dashes and lower case are fine (e.g. CSQU 305438-3)';
export const WRITTEN_IMO_NUMBER_MESSAGE =
  'must be an IMO ship number: 7 digits, with or without "IMO" (e.g. IMO 9074729)';

/** A container number as written (spaces, dashes, lower case); its canonical form must have a valid check digit. */
export function IsContainerNumberAsWritten(options?: ValidationOptions): PropertyDecorator {
  return ValidateWith(
    'isContainerNumberAsWritten',
    (value) => {
      const problem = writtenContainerNumberProblem(value);
      return problem && writtenProblemMessage(problem, 'container number', WRITTEN_CONTAINER_NUMBER_MESSAGE);
    },
    options,
  );
}

/** An IMO number as written ("IMO 9074729", "imo9074729", "9074729"); its check digit must be valid. */
export function IsImoNumberAsWritten(options?: ValidationOptions): PropertyDecorator {
  return ValidateWith(
    'isImoNumberAsWritten',
    (value) => {
      const problem = writtenImoNumberProblem(value);
      return problem && writtenProblemMessage(problem, 'IMO number', WRITTEN_IMO_NUMBER_MESSAGE);
    },
    options,
  );
}

/** A phone number as written ("+992 93 555-12-34", "00992…"); without separators it must be E.164. */
export function IsPhoneNumberAsWritten(options?: ValidationOptions): PropertyDecorator {
  return ValidateWith('isPhoneNumberAsWritten', writtenPhoneNumberProblem, options);
}
