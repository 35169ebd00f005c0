import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hashToHex, isHash } from './hashing';
import { MerkleError, MerkleErrorCode } from './merkle-error';

/** A signed tree head: the log operator's Ed25519 signature over (treeSize, root, timestamp). */
export interface Checkpoint {
  treeSize: number;
  /** Lower-case hex of MTH over the first treeSize entries. */
  rootHash: string;
  /** ISO 8601 in UTC, e.g. 2025-05-01T12:00:00.000Z. */
  timestamp: string;
  /** keyIdFor(the signing key's public half). */
  keyId: string;
  /** Base64 Ed25519 signature over checkpointSigningPayload. */
  signature: string;
}

export const CHECKPOINT_FORMAT = 'alert-exchange-hub/checkpoint/v1';

const ROOT_HEX = /^[0-9a-f]{64}$/;
const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const KEY_ID = /^[\x21-\x7e]{1,128}$/;
const ED25519_SIGNATURE_BYTES = 64;

/**
 * The exact bytes that are signed. Every field is validated to a newline-free canonical form first, so
 * one byte string can never be read as two different checkpoints.
 */
export function checkpointSigningPayload(fields: Pick<Checkpoint, 'treeSize' | 'rootHash' | 'timestamp'>): Buffer {
  const problem = describeInvalidSignedFields(fields);
  if (problem) throw new MerkleError(MerkleErrorCode.InvalidCheckpoint, problem);
  return Buffer.from(`${CHECKPOINT_FORMAT}\n${fields.treeSize}\n${fields.rootHash}\n${fields.timestamp}\n`, 'utf8');
}

export function signCheckpoint(
  privateKey: KeyObject,
  keyId: string,
  treeSize: number,
  root: Buffer,
  timestamp: string | Date,
): Checkpoint {
  assertEd25519(privateKey, 'private');
  if (!KEY_ID.test(keyId)) {
    throw new MerkleError(MerkleErrorCode.InvalidCheckpoint, 'keyId must be 1–128 printable characters without spaces');
  }
  if (!isHash(root)) throw new MerkleError(MerkleErrorCode.InvalidHash, 'the root must be a 32-byte Buffer');
  const fields = {
    treeSize,
    rootHash: hashToHex(root),
    timestamp: typeof timestamp === 'string' ? timestamp : timestamp.toISOString(),
  };
  const signature = sign(null, checkpointSigningPayload(fields), privateKey).toString('base64');
  return { ...fields, keyId, signature };
}

/**
 * True only for a well-formed checkpoint whose keyId names `publicKey` and whose signature verifies.
 * Checkpoints come from the server, so a malformed one is false, never an exception.
 */
export function verifyCheckpointSignature(checkpoint: Checkpoint, publicKey: KeyObject): boolean {
  const verificationKey = asPublicKey(publicKey);
  if (describeInvalidCheckpoint(checkpoint) !== undefined) return false;
  if (checkpoint.keyId !== keyIdFor(verificationKey)) return false;
  const signature = Buffer.from(checkpoint.signature, 'base64');
  return verify(null, checkpointSigningPayload(checkpoint), verificationKey, signature);
}

/** First 16 hex digits of SHA-256 over the SubjectPublicKeyInfo DER; accepts either half of the pair. */
export function keyIdFor(key: KeyObject): string {
  const der = asPublicKey(key).export({ format: 'der', type: 'spki' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/** Validates an untrusted value (a saved file, a server response) as a Checkpoint. */
export function parseCheckpoint(value: unknown): Checkpoint {
  const problem = describeInvalidCheckpoint(value);
  if (problem) throw new MerkleError(MerkleErrorCode.InvalidCheckpoint, `not a checkpoint: ${problem}`);
  const { treeSize, rootHash, timestamp, keyId, signature } = value as Checkpoint;
  return { treeSize, rootHash, timestamp, keyId, signature };
}

export function loadEd25519PrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new MerkleError(MerkleErrorCode.InvalidKey, `not a PEM private key: ${(error as Error).message}`);
  }
  assertEd25519(key, 'private');
  return key;
}

export function loadEd25519PrivateKeyFile(path: string): KeyObject {
  return loadEd25519PrivateKey(readFileSync(path, 'utf8'));
}

export function loadEd25519PublicKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new MerkleError(MerkleErrorCode.InvalidKey, `not a PEM public key: ${(error as Error).message}`);
  }
  assertEd25519(key, 'public');
  return key;
}

/** SPKI PEM of the public half; what an auditor pins and passes to `verify --public-key`. */
export function exportPublicKeyPem(key: KeyObject): string {
  return asPublicKey(key).export({ format: 'pem', type: 'spki' }).toString();
}

export function generateCheckpointKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ed25519');
}

function asPublicKey(key: KeyObject): KeyObject {
  if (key.type === 'private') {
    assertEd25519(key, 'private');
    return createPublicKey(key);
  }
  assertEd25519(key, 'public');
  return key;
}

function assertEd25519(key: KeyObject, expectedType: 'private' | 'public'): void {
  if (!(key instanceof KeyObject) || key.type !== expectedType || key.asymmetricKeyType !== 'ed25519') {
    throw new MerkleError(MerkleErrorCode.InvalidKey, `expected an Ed25519 ${expectedType} key`);
  }
}

function describeInvalidCheckpoint(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'expected an object';
  const candidate = value as Record<string, unknown>;
  const signedFieldsProblem = describeInvalidSignedFields(candidate);
  if (signedFieldsProblem) return signedFieldsProblem;
  if (typeof candidate.keyId !== 'string' || !KEY_ID.test(candidate.keyId))
    return 'keyId must be a short printable string';
  if (typeof candidate.signature !== 'string' || !isCanonicalSignature(candidate.signature)) {
    return 'signature must be the base64 of 64 bytes';
  }
  return undefined;
}

function describeInvalidSignedFields(fields: Record<string, unknown>): string | undefined {
  const { treeSize, rootHash, timestamp } = fields;
  if (!Number.isSafeInteger(treeSize) || (treeSize as number) < 0) return 'treeSize must be a non-negative integer';
  if (typeof rootHash !== 'string' || !ROOT_HEX.test(rootHash)) return 'rootHash must be 64 lower-case hex digits';
  if (typeof timestamp !== 'string' || !UTC_TIMESTAMP.test(timestamp) || Number.isNaN(Date.parse(timestamp))) {
    return 'timestamp must be an ISO 8601 UTC time such as 2025-05-01T12:00:00.000Z';
  }
  return undefined;
}

function isCanonicalSignature(base64: string): boolean {
  const bytes = Buffer.from(base64, 'base64');
  return bytes.length === ED25519_SIGNATURE_BYTES && bytes.toString('base64') === base64;
}
