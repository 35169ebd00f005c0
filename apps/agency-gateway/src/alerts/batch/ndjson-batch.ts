import { FieldError } from '@hub/contracts/alert/field-error';

/** Lines one POST /v1/alerts/batch may hold. */
export const MAX_BATCH_LINES = 1000;
/** Its body limit: a thousand alerts of ordinary size (POST /v1/alerts allows 256 KiB for one). */
export const MAX_BATCH_BODY_BYTES = 8 * 1024 * 1024;
export const NDJSON_MEDIA_TYPE = 'application/x-ndjson';
export const NDJSON_CONTENT_TYPE = /^application\/(x-)?ndjson\b/i;

const LINE_FIELDS = new Set(['idempotencyKey', 'alert', 'signature']);

/** One line as POST /v1/alerts would have taken it: the Idempotency-Key, the body and the Alert-Signature. */
export interface BatchLine {
  idempotencyKey: string;
  alert: unknown;
  signature?: string;
}

/** A line, or why it is refused (400 at its index): not JSON, or not `{idempotencyKey, alert, signature?}`. */
export type ParsedLine = { ok: true; line: BatchLine } | { ok: false; invalidJson: boolean; problems: FieldError[] };

/**
 * The lines of an NDJSON body (LF or CRLF; a final line break is optional). Every other line counts, an empty one
 * included (refused at its index), so that indexes are the client's line numbers from 0. Null when there are more
 * than MAX_BATCH_LINES.
 */
export function splitLines(body: string): string[] | null {
  const lines = body.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  return lines.length > MAX_BATCH_LINES ? null : lines;
}

export function parseLine(text: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      invalidJson: true,
      problems: [{ path: 'line', message: `not valid JSON: ${(error as Error).message}` }],
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, invalidJson: false, problems: [{ path: 'line', message: 'must be a JSON object' }] };
  }
  const line = value as Record<string, unknown>;
  const problems: FieldError[] = Object.keys(line)
    .filter((key) => !LINE_FIELDS.has(key))
    .map((key) => ({ path: key, message: `property ${key} should not exist` }));
  const key = line.idempotencyKey;
  if (typeof key !== 'string' || key.length < 1 || key.length > 128)
    problems.push({ path: 'idempotencyKey', message: 'must be a string of 1 to 128 characters' });
  if (typeof line.alert !== 'object' || line.alert === null || Array.isArray(line.alert))
    problems.push({ path: 'alert', message: 'must be an object (the body of POST /v1/alerts)' });
  if (line.signature !== undefined && (typeof line.signature !== 'string' || line.signature.length === 0))
    problems.push({
      path: 'signature',
      message: 'must be a compact JWS (the Alert-Signature header of POST /v1/alerts)',
    });
  if (problems.length > 0) return { ok: false, invalidJson: false, problems };
  return {
    ok: true,
    line: {
      idempotencyKey: key as string,
      alert: line.alert,
      ...(line.signature ? { signature: line.signature as string } : {}),
    },
  };
}
