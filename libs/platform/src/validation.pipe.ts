import { ValidationPipe } from '@nestjs/common';
import { flattenValidationErrors } from '@hub/contracts/validation';
import { HubError } from './errors';

/** Global pipe: unknown properties are an error naming the path, never silently dropped. */
export function hubValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => HubError.validation(flattenValidationErrors(errors)),
  });
}
