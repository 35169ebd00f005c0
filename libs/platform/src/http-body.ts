import { json, NextFunction, Request, Response, text } from 'express';
import { ErrorBody, ErrorCode } from './errors';

/** Requests larger than this are refused with 413 before any handler runs. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * JSON body parsing with the hub's error shape: wrong content type 415, over 256 KiB 413, invalid JSON 400.
 * Registered instead of Nest's default body parser so that parser errors never reach Express's HTML handler.
 * `textTypes`: other media types a service accepts (e.g. application/cap+xml on the gateway), handed to the
 * handler as a string (same size limit) for it to parse with its own format's library.
 */
export interface TextBodyType {
  mediaType: string;
  pattern: RegExp;
}

/**
 * An endpoint with a body limit of its own (bulk endpoints: POST /v1/alerts/batch, POST /v1/hits). With `textType`,
 * that endpoint takes only that media type, as text, and no other endpoint takes it.
 */
export interface BodyRoute {
  method: 'POST';
  path: string;
  limitBytes: number;
  textType?: TextBodyType;
}

export function jsonBodyMiddleware(textTypes: readonly TextBodyType[] = [], routes: readonly BodyRoute[] = []) {
  const parse = json({ limit: MAX_BODY_BYTES, strict: true, type: () => true });
  const parseText = text({ limit: MAX_BODY_BYTES, type: () => true });
  const parsers = new Map(
    routes.map((route) => [
      `${route.method} ${route.path}`,
      {
        route,
        parse: route.textType
          ? text({ limit: route.limitBytes, type: () => true })
          : json({ limit: route.limitBytes, strict: true, type: () => true }),
      },
    ]),
  );
  return [
    (req: Request, res: Response, next: NextFunction) => {
      if (!hasBody(req)) return next();
      const type = req.headers['content-type'] ?? '';
      const own = parsers.get(`${req.method} ${req.path}`);
      res.locals.bodyLimit = own?.route.limitBytes ?? MAX_BODY_BYTES;
      if (own?.route.textType) {
        if (own.route.textType.pattern.test(type)) return own.parse(req, res, next);
        return unsupported(res, own.route.textType.mediaType, type);
      }
      if (textTypes.some((accepted) => accepted.pattern.test(type))) return parseText(req, res, next);
      if (!/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type)) {
        return unsupported(res, `application/json${textTypes.map((t) => ` or ${t.mediaType}`).join('')}`, type);
      }
      return (own?.parse ?? parse)(req, res, next);
    },
    (err: { type?: string; status?: number; message?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (err?.type === 'entity.too.large' || err?.status === 413) {
        const limit = typeof res.locals.bodyLimit === 'number' ? res.locals.bodyLimit : MAX_BODY_BYTES;
        return send(res, 413, ErrorCode.PayloadTooLarge, `Body is larger than ${limit} bytes`, 'body');
      }
      if (err?.type === 'entity.parse.failed') {
        return send(res, 400, ErrorCode.InvalidJson, `Body is not valid JSON: ${err.message ?? ''}`.trim(), 'body');
      }
      if (err?.status && err.status >= 400 && err.status < 500) {
        return send(res, err.status, ErrorCode.ValidationFailed, err.message ?? 'Bad request', 'body');
      }
      return next(err);
    },
  ];
}

function hasBody(req: Request): boolean {
  if (!['POST', 'PUT', 'PATCH'].includes(req.method)) return false;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function unsupported(res: Response, accepted: string, type: string): void {
  send(
    res,
    415,
    ErrorCode.UnsupportedMediaType,
    `Content-Type must be ${accepted} (got "${type || 'none'}")`,
    'content-type',
  );
}

function send(res: Response, status: number, error: ErrorCode, message: string, path: string): void {
  const body: ErrorBody = { error, message, details: [{ path, message }] };
  res.status(status).json(body);
}
