import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/**
 * Salted commitments to alert content (docs/decisions/008-retention-and-erasure.md). The audit log holds only the
 * commitment; the service keeps the content and the salt until the alert's retention ends or it is erased.
 *
 * Byte layout, for an auditor recomputing it with any SHA-256 tool:
 *
 *   commitment = hex( SHA-256( DOMAIN ‖ 0x00 ‖ salt ‖ UTF-8( canonicalJson(disclosed) ) ) )
 *
 * - DOMAIN is the ASCII string `hub.alert-content.v1` (20 bytes), then one 0x00 byte;
 * - salt is 32 random bytes, drawn once per alert version (served as 64 hex digits);
 * - disclosed is `{ "alert": <the version's content>, "cancelReason": <text> }`, cancelReason only on a cancel
 *   that carries one, serialised by canonicalJson (RFC 8785: keys sorted, no whitespace).
 */
export const CONTENT_COMMITMENT_SCHEME = 'sha256-salted-v1';
const DOMAIN = Buffer.from('hub.alert-content.v1\u0000', 'ascii');
export const CONTENT_SALT_BYTES = 32;

/** What a commitment covers: one alert version's content as the hub stored it. */
export interface DisclosedContent {
  alert: unknown;
  cancelReason?: string;
}

export function newContentSalt(): Buffer {
  return randomBytes(CONTENT_SALT_BYTES);
}

export function contentCommitment(salt: Buffer, disclosed: DisclosedContent): string {
  if (salt.length !== CONTENT_SALT_BYTES) throw new Error(`a content salt has ${CONTENT_SALT_BYTES} bytes, not ${salt.length}`);
  const body: DisclosedContent = { alert: disclosed.alert, ...(disclosed.cancelReason ? { cancelReason: disclosed.cancelReason } : {}) };
  return createHash('sha256').update(DOMAIN).update(salt).update(canonicalJson(body), 'utf8').digest('hex');
}

/** Whether content shown to an auditor (with its salt, in hex) is the content the log committed to. */
export function contentMatchesCommitment(commitment: string, saltHex: string, disclosed: DisclosedContent): boolean {
  if (!/^[0-9a-f]{64}$/.test(saltHex) || !/^[0-9a-f]{64}$/.test(commitment)) return false;
  const recomputed = Buffer.from(contentCommitment(Buffer.from(saltHex, 'hex'), disclosed), 'hex');
  return timingSafeEqual(recomputed, Buffer.from(commitment, 'hex'));
}

/**
 * A keyed hash of an identifier (`kind`, canonical `key`), for facts that must show that two alerts named the same
 * container or phone without naming it: HMAC-SHA-256 with a secret that is not in any database, so a phone number
 * cannot be found again by hashing every possible one.
 */
export function identifierKeyHash(secret: string, kind: string, key: string): string {
  return createHmac('sha256', secret).update(`${kind}\n${key}`, 'utf8').digest('hex');
}
