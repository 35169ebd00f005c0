import { createHash } from 'node:crypto';
import { withoutHubStampedSubjectFields } from '../alert/subjects';

/** The HTTP header that carries an origin signature on a submission. Deliveries carry it as `signature`. */
export const ALERT_SIGNATURE_HEADER = 'Alert-Signature';

/** A compact JWS with a detached payload (RFC 7515 appendix F): `BASE64URL(header)..BASE64URL(signature)`. */
export const DETACHED_COMPACT_JWS = /^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/;
export const ALERT_SIGNATURE_MAX_LENGTH = 2000;

/**
 * The object an origin signature covers: the alert content exactly as the hub stores and delivers it (the `alert`
 * of an inbox item or of GET /v1/alerts/{id}), without the fields the hub stamps on subjects
 * (`subjects[].canonical`). Lists a client may leave out are present and empty ([]), as the hub stores them.
 * Nothing else is removed or added: what a recipient receives is what it verifies. See docs/signatures.md.
 */
export function signedAlertContent(content: object): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(content)) as Record<string, unknown>;
  if (Array.isArray(plain.subjects)) plain.subjects = withoutHubStampedSubjectFields(plain.subjects);
  return plain;
}

/** What the audit log records of a signature: hex SHA-256 of the header value (ASCII). */
export function signatureHash(jws: string): string {
  return createHash('sha256').update(jws, 'ascii').digest('hex');
}
