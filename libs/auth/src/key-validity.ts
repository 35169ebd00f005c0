import { Injectable } from '@nestjs/common';
import { CredentialStore } from './credential-store';
import { ENV_ADMIN_KEY_ID, Principal } from './principal';

/**
 * Whether the key behind an authenticated principal still works now: for what outlives one request (an event
 * stream), so that a revocation, an expiry or the agency's deactivation ends it within seconds.
 */
@Injectable()
export class KeyValidity {
  constructor(private readonly store: CredentialStore) {}

  async stillValid(principal: Principal): Promise<boolean> {
    if (principal.keyId === ENV_ADMIN_KEY_ID) return true;
    const record = await this.store.findByKeyId(principal.keyId);
    if (!record || record.revokedAt) return false;
    return !record.expiresAt || Date.parse(record.expiresAt) > Date.now();
  }
}
