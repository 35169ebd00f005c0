import type { Request } from 'express';
import { parseApiKey } from '@hub/auth/api-key';

/** Limits are per API key (an agency's systems share one budget per key), falling back to the client address. */
export function throttleTracker(req: Record<string, unknown>): string {
  const request = req as unknown as Request;
  const match = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '');
  const parsed = match ? parseApiKey(match[1]) : null;
  return parsed ? `key:${parsed.keyId}` : `ip:${request.ip}`;
}
