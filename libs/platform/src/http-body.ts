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

export function jsonBodyMiddleware(textTypes: readonly TextBodyType[] = []) {
  const parse = json({ limit: MAX_BODY_BYTES, strict: true, type: () => true });
  const parseText = text({ limit: MAX_BODY_BYTES, type: () => true });
  return [
    (req: Request, res: Response, next: NextFunction) => {
      if (!hasBody(req)) return next();
      const type = req.headers['content-type'] ?? '';
      if (textTypes.some((accepted) => accepted.pattern.test(type))) return parseText(req, res, next);
      if (!/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type)) {
        const also = textTypes.map((t) => ` or ${t.mediaType}`).join('');
        return send(
          res,
          415,
          ErrorCode.UnsupportedMediaType,
          `Content-Type must be application/json${also} (got "${type || 'none'}")`,
          'content-type',
        );
      }
      return parse(req, res, next);
    },
    (err: { type?: string; status?: number; message?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (err?.type === 'entity.too.large' || err?.status === 413) {
        return send(res, 413, ErrorCode.PayloadTooLarge, `Body is larger than ${MAX_BODY_BYTES} bytes`, 'body');
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

function send(res: Response, status: number, error: ErrorCode, message: string, path: string): void {
  const body: ErrorBody = { error, message, details: [{ path, message }] };
  res.status(status).json(body);
}
