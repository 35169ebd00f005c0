import { HttpStatus } from '@nestjs/common';

/** The one error shape every HTTP endpoint answers with. */
export interface ErrorBody {
  error: string;
  message: string;
  details: { path: string; message: string }[];
  errorId?: string;
  /** 410 only: what the caller may still know of an erased alert (ids, versions, parties, times), never content */
  alert?: Record<string, unknown>;
}

export enum ErrorCode {
  ValidationFailed = 'validation_failed',
  InvalidJson = 'invalid_json',
  UnsupportedMediaType = 'unsupported_media_type',
  NotAcceptable = 'not_acceptable',
  PayloadTooLarge = 'payload_too_large',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  Gone = 'gone',
  Conflict = 'conflict',
  RequestInFlight = 'request_in_flight',
  IdempotencyKeyReused = 'idempotency_key_reused',
  StaleVersion = 'stale_version',
  ForwardRefused = 'forward_refused',
  RateLimited = 'rate_limited',
  Unavailable = 'unavailable',
  Internal = 'internal',
}

const STATUS: Record<ErrorCode, HttpStatus> = {
  [ErrorCode.ValidationFailed]: HttpStatus.BAD_REQUEST,
  [ErrorCode.InvalidJson]: HttpStatus.BAD_REQUEST,
  [ErrorCode.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [ErrorCode.NotAcceptable]: HttpStatus.NOT_ACCEPTABLE,
  [ErrorCode.PayloadTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [ErrorCode.Unauthorized]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [ErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.Gone]: HttpStatus.GONE,
  [ErrorCode.Conflict]: HttpStatus.CONFLICT,
  [ErrorCode.RequestInFlight]: HttpStatus.CONFLICT,
  [ErrorCode.IdempotencyKeyReused]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.StaleVersion]: HttpStatus.CONFLICT,
  [ErrorCode.ForwardRefused]: HttpStatus.FORBIDDEN,
  [ErrorCode.RateLimited]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.Unavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.Internal]: HttpStatus.INTERNAL_SERVER_ERROR,
};

export type { FieldError } from '@hub/contracts/alert/field-error';
import type { FieldError } from '@hub/contracts/alert/field-error';

/** Typed application error; HubExceptionFilter maps it to ErrorBody. */
export class HubError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: FieldError[] = [],
    /** extra top-level fields of the error body (ErrorBody.alert) */
    readonly extra: Pick<ErrorBody, 'alert'> = {},
  ) {
    super(message);
  }

  get status(): HttpStatus {
    return STATUS[this.code];
  }

  static validation(details: FieldError[], message?: string): HubError {
    const summary = message ?? `Invalid request: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`;
    return new HubError(ErrorCode.ValidationFailed, summary, details);
  }

  /** Anything the caller may not see is "not found": a 403 would confirm that it exists. */
  static notFound(what = 'resource'): HubError {
    return new HubError(ErrorCode.NotFound, `${what} not found`);
  }

  /** The alert existed and the caller may know it, but its content was erased: 410 with the metadata it may see. */
  static gone(alert: Record<string, unknown> & { alertId: string; erasedAt: string }): HubError {
    return new HubError(
      ErrorCode.Gone,
      `The content of alert ${alert.alertId} was erased on ${alert.erasedAt}`,
      [{ path: 'alertId', message: 'content erased' }],
      { alert },
    );
  }
}

export function statusOf(code: ErrorCode): HttpStatus {
  return STATUS[code];
}
