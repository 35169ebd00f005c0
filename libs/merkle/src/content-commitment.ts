import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/**
 * Salted commitments to alert content and to other free text about an alert (acknowledgement notes, the problems of a
 * refused submission): docs/decisions/008-retention-and-erasure.md. The audit log holds only the commitment; the
 * service keeps the text and the salt until its retention ends or the alert is erased.
 *
 * Byte layout, for an auditor recomputing it with any SHA-256 tool:
 *
 *   commitment = hex( SHA-256( DOMAIN ‖ 0x00 ‖ salt ‖ UTF-8( canonicalJson(disclosed) ) ) )
 *
 * - DOMAIN is an ASCII string naming what is committed (COMMITMENT_DOMAINS: `hub.alert-content.v1` for alert content,
 *   `hub.ack-note.v1`, `hub.rejection-problems.v1`, `hub.idempotency-key.v1`, `hub.erasure-reason.v1`), then one 0x00
 *   byte;
 * - salt is 32 random bytes, drawn once per alert version, note or rejection (served as 64 hex digits);
 * - disclosed is `{ "alert": <the version's content>, "cancelReason": <text> }`, cancelReason only on a cancel
 *   that carries one (`{ "note": … }` for a note, `{ "problems": [{ "path", "message" }] }` for a rejection,
 *   `{ "idempotencyKey": … }` for a submission's key, `{ "reason": … }` for an erasure's reason), serialised
 *   by canonicalJson (RFC 8785: keys sorted, no whitespace).
 */
export const CONTENT_COMMITMENT_SCHEME = 'sha256-salted-v1';
export const CONTENT_SALT_BYTES = 32;

/**
 * One domain per kind of committed text (the same layout, another first string), so that what was disclosed for one
 * kind can never be passed off as another: a note opened as alert content, a problem list as a note. Add, never rename.
 */
export const COMMITMENT_DOMAINS = {
  /** an alert version's content (and cancel reason): alert.submitted / alert.updated / alert.cancelled */
  alertContent: 'hub.alert-content.v1',
  /** a recipient's acknowledgement note: alert.acked */
  ackNote: 'hub.ack-note.v1',
  /** the (bounded) problems of a refused submission: alert.rejected */
  rejectionProblems: 'hub.rejection-problems.v1',
  /** the client's Idempotency-Key of a submission, under the version's content salt: alert.submitted */
  idempotencyKey: 'hub.idempotency-key.v1',
  /** why an admin asked for an alert's erasure: alert.erased */
  erasureReason: 'hub.erasure-reason.v1',
  /** an operation room's `{ name, purpose }`: room.created */
  roomDescription: 'hub.room-description.v1',
  /** a message posted in an operation room, `{ text }`: room.message-posted */
  roomMessage: 'hub.room-message.v1',
} as const;
export type CommitmentDomain = (typeof COMMITMENT_DOMAINS)[keyof typeof COMMITMENT_DOMAINS];

/** What a commitment covers: one alert version's content as the hub stored it. */
export interface DisclosedContent {
  alert: unknown;
  cancelReason?: string;
}

/** What an acknowledgement's commitment covers: its note, as the recipient wrote it. */
export interface DisclosedAckNote {
  note: string;
}

/** What a rejection's commitment covers: the problems as recorded (at most 20, path and message cut to 200). */
export interface DisclosedProblems {
  problems: { path: string; message: string }[];
}

export function newContentSalt(): Buffer {
  return randomBytes(CONTENT_SALT_BYTES);
}

/** `hex( SHA-256( domain ‖ 0x00 ‖ salt ‖ UTF-8(canonicalJson(disclosed)) ) )`, the one layout of every commitment. */
export function saltedCommitment(domain: CommitmentDomain, salt: Buffer, disclosed: unknown): string {
  if (salt.length !== CONTENT_SALT_BYTES)
    throw new Error(`a content salt has ${CONTENT_SALT_BYTES} bytes, not ${salt.length}`);
  return createHash('sha256')
    .update(Buffer.from(`${domain}\u0000`, 'ascii'))
    .update(salt)
    .update(canonicalJson(disclosed), 'utf8')
    .digest('hex');
}

/** Whether a disclosure (with its salt, in hex) is what the log committed to under `domain`. */
export function matchesSaltedCommitment(
  domain: CommitmentDomain,
  commitment: string,
  saltHex: string,
  disclosed: unknown,
): boolean {
  if (!/^[0-9a-f]{64}$/.test(saltHex) || !/^[0-9a-f]{64}$/.test(commitment)) return false;
  const recomputed = Buffer.from(saltedCommitment(domain, Buffer.from(saltHex, 'hex'), disclosed), 'hex');
  return timingSafeEqual(recomputed, Buffer.from(commitment, 'hex'));
}

/** Over `{alert, cancelReason?}` (cancelReason only when there is one). */
function contentBody(disclosed: DisclosedContent): DisclosedContent {
  return { alert: disclosed.alert, ...(disclosed.cancelReason ? { cancelReason: disclosed.cancelReason } : {}) };
}

export function contentCommitment(salt: Buffer, disclosed: DisclosedContent): string {
  return saltedCommitment(COMMITMENT_DOMAINS.alertContent, salt, contentBody(disclosed));
}

/** Whether content shown to an auditor (with its salt, in hex) is the content the log committed to. */
export function contentMatchesCommitment(commitment: string, saltHex: string, disclosed: DisclosedContent): boolean {
  return matchesSaltedCommitment(COMMITMENT_DOMAINS.alertContent, commitment, saltHex, contentBody(disclosed));
}

export function ackNoteCommitment(salt: Buffer, disclosed: DisclosedAckNote): string {
  return saltedCommitment(COMMITMENT_DOMAINS.ackNote, salt, { note: disclosed.note });
}

export function ackNoteMatchesCommitment(commitment: string, saltHex: string, disclosed: DisclosedAckNote): boolean {
  return matchesSaltedCommitment(COMMITMENT_DOMAINS.ackNote, commitment, saltHex, { note: disclosed.note });
}

export function problemsCommitment(salt: Buffer, disclosed: DisclosedProblems): string {
  return saltedCommitment(COMMITMENT_DOMAINS.rejectionProblems, salt, { problems: disclosed.problems });
}

export function problemsMatchCommitment(commitment: string, saltHex: string, disclosed: DisclosedProblems): boolean {
  return matchesSaltedCommitment(COMMITMENT_DOMAINS.rejectionProblems, commitment, saltHex, {
    problems: disclosed.problems,
  });
}

/**
 * A keyed hash of an identifier (`kind`, canonical `key`), for facts that must show that two alerts named the same
 * container or phone without naming it: HMAC-SHA-256 with a secret that is not in any database, so a phone number
 * cannot be found again by hashing every possible one.
 */
export function identifierKeyHash(secret: string, kind: string, key: string): string {
  return createHmac('sha256', secret).update(`${kind}\n${key}`, 'utf8').digest('hex');
}
