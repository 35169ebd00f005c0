import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Role } from '@hub/contracts/audit-event';
import { CredentialRecord } from '@hub/contracts/reference';
import { ErrorCode, HubError } from '@hub/platform/errors';
import { constantTimeEquals, parseApiKey, secretMatches } from './api-key';
import { BootstrapAdminKey, CredentialStore } from './credential-store';
import { ENV_ADMIN_KEY_ID, HUB_ADMIN_AGENCY, Principal } from './principal';

export type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * `Authorization: Bearer <key>` → the principal, or 401 when missing, unknown, expired or revoked. Verified once
 * per request (the result is kept on the request): the rate limiter needs the verified key before the guard runs.
 */
@Injectable()
export class ApiKeyAuthenticator {
  constructor(
    private readonly store: CredentialStore,
    private readonly adminKey: BootstrapAdminKey,
  ) {}

  async authenticate(request: AuthenticatedRequest): Promise<Principal> {
    if (request.principal) return request.principal;
    const principal = await this.verify(request.headers.authorization);
    request.principal = principal;
    return principal;
  }

  private async verify(header: string | undefined): Promise<Principal> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) throw new HubError(ErrorCode.Unauthorized, 'Missing API key: send "Authorization: Bearer <key>"');
    const presented = match[1];
    if (this.adminKey.value && constantTimeEquals(presented, this.adminKey.value)) {
      return { keyId: ENV_ADMIN_KEY_ID, agencyId: HUB_ADMIN_AGENCY, role: Role.Admin };
    }
    const parsed = parseApiKey(presented);
    const record = parsed ? await this.store.findByKeyId(parsed.keyId) : null;
    if (!parsed || !record || !secretMatches(parsed.secret, record.secretHash)) {
      throw new HubError(ErrorCode.Unauthorized, 'Invalid API key');
    }
    const refused = refusal(record);
    if (refused) throw new HubError(ErrorCode.Unauthorized, refused);
    return { keyId: record.keyId, agencyId: record.agencyId, role: record.role };
  }

  /**
   * Whether the key behind an authenticated principal still works now: for what outlives one request (an event
   * stream), so that a revocation, an expiry or the agency's deactivation ends it within seconds.
   */
  async stillValid(principal: Principal): Promise<boolean> {
    if (principal.keyId === ENV_ADMIN_KEY_ID) return true;
    const record = await this.store.findByKeyId(principal.keyId);
    return record !== null && refusal(record) === null;
  }
}

/** Why a known key no longer works, or null. */
function refusal(record: CredentialRecord): string | null {
  if (record.revokedAt) return 'API key revoked';
  if (record.expiresAt && Date.parse(record.expiresAt) <= Date.now()) return 'API key expired';
  return null;
}

/**
 * Who a request is counted against by the rate limiter: its verified key, or its source address when it carries
 * no valid key. Never the key id a request merely claims: anyone could then lock a victim's key out with 429s by
 * sending garbage under its id, and random ids would each get a fresh budget.
 */
export async function rateLimitTracker(
  authenticator: ApiKeyAuthenticator,
  request: AuthenticatedRequest,
): Promise<string> {
  try {
    return `key:${(await authenticator.authenticate(request)).keyId}`;
  } catch (error) {
    if (error instanceof HubError && error.code === ErrorCode.Unauthorized) return `ip:${request.ip}`;
    throw error;
  }
}
