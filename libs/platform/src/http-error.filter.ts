import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Response } from 'express';
import { isDependencyOutage } from '@hub/kafka/dependency-outage';
import { ErrorBody, ErrorCode, HubError } from './errors';

/** Seconds a client is told to wait when the database or the broker is unavailable. */
const OUTAGE_RETRY_AFTER_S = 2;

const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: ErrorCode.ValidationFailed,
  [HttpStatus.UNAUTHORIZED]: ErrorCode.Unauthorized,
  [HttpStatus.FORBIDDEN]: ErrorCode.Forbidden,
  [HttpStatus.NOT_FOUND]: ErrorCode.NotFound,
  [HttpStatus.GONE]: ErrorCode.Gone,
  [HttpStatus.CONFLICT]: ErrorCode.Conflict,
  [HttpStatus.PAYLOAD_TOO_LARGE]: ErrorCode.PayloadTooLarge,
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: ErrorCode.UnsupportedMediaType,
  [HttpStatus.TOO_MANY_REQUESTS]: ErrorCode.RateLimited,
  [HttpStatus.SERVICE_UNAVAILABLE]: ErrorCode.Unavailable,
};

/** Maps every error to the one ErrorBody shape. 500s get an error id that is also logged. */
@Catch()
export class HubExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) {
      response.end();
      return;
    }
    const { status, body } = this.toBody(exception);
    if (status === HttpStatus.TOO_MANY_REQUESTS && !response.hasHeader('Retry-After'))
      response.setHeader('Retry-After', '1');
    if (status === HttpStatus.SERVICE_UNAVAILABLE && !response.hasHeader('Retry-After'))
      response.setHeader('Retry-After', String(OUTAGE_RETRY_AFTER_S));
    response.status(status).json(body);
  }

  private toBody(exception: unknown): { status: number; body: ErrorBody } {
    if (exception instanceof HubError) {
      return {
        status: exception.status,
        body: { error: exception.code, message: exception.message, details: exception.details, ...exception.extra },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? exception.message);
      const code = CODE_BY_STATUS[status] ?? (status >= 500 ? ErrorCode.Internal : ErrorCode.ValidationFailed);
      return {
        status,
        body: { error: code, message: Array.isArray(message) ? message.join('; ') : String(message), details: [] },
      };
    }
    if (isDependencyOutage(exception)) {
      // A known dependency being down is not a bug: 503 with Retry-After. Whatever was committed before the
      // failure stays committed; the client retries (with the same Idempotency-Key for a submission).
      this.logger.warn({ err: (exception as Error).message }, 'dependency unavailable');
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        body: {
          error: ErrorCode.Unavailable,
          message: 'A dependency of the hub (database or broker) is unavailable; retry shortly',
          details: [],
        },
      };
    }
    const errorId = randomUUID();
    this.logger.error({ errorId, err: loggable(exception) }, 'unhandled error');
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { error: ErrorCode.Internal, message: `Internal error (error id ${errorId})`, details: [], errorId },
    };
  }
}

/**
 * What of an unexpected error goes to the log: its kind, message, SQLSTATE and stack, never the properties a
 * driver hangs on it (TypeORM's QueryFailedError carries the SQL and its parameters, which may be alert content
 * or key material).
 */
export function loggable(error: unknown): { name: string; message: string; code?: string; stack?: string } {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error).slice(0, 500) };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message.slice(0, 500),
    ...(typeof code === 'string' ? { code } : {}),
    stack: error.stack,
  };
}
