import * as crypto from 'node:crypto';
import { MerkleError, MerkleErrorCode } from './merkle-error';

/** RFC 6962 §2.1 / RFC 9162 §2.1.1 Merkle tree hashing with SHA-256. */

export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);
const HEX_HASH = /^[0-9a-fA-F]{64}$/;

// crypto.hash (Node ≥ 20.12) skips the Hash object and is several times cheaper for the millions of small
// inputs the verifier hashes; a latin1 digest turned into a Buffer beats its own 'buffer' output on
// Node 20. Older runtimes fall back to createHash, with identical output (checked once at load).
const sha256: (data: string | Uint8Array) => Buffer = (() => {
  const viaCreateHash = (data: string | Uint8Array) => crypto.createHash('sha256').update(data).digest();
  // 'binary' is Node's alias for latin1: one char per digest byte.
  const viaOneShot = (data: string | Uint8Array) => Buffer.from(crypto.hash('sha256', data, 'binary'), 'binary');
  try {
    const probe = '\u0000probe\u00e9';
    if (typeof crypto.hash === 'function' && viaOneShot(probe).equals(viaCreateHash(probe))) return viaOneShot;
  } catch {
    // crypto.hash is missing or behaves differently: use createHash
  }
  return viaCreateHash;
})();

/** Reused for every node hash: nodeHash is synchronous, so no two calls can interleave. */
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE, NODE_PREFIX[0]);

export function leafHash(entryBytes: Uint8Array): Buffer {
  return crypto.createHash('sha256').update(LEAF_PREFIX).update(entryBytes).digest();
}

/** leafHash of the UTF-8 encoding of `text`; U+0000 encodes to the single 0x00 prefix byte. */
export function leafHashOfUtf8(text: string): Buffer {
  return sha256(`\u0000${text}`);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    return crypto.createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return sha256(nodeInput);
}

/** MTH({}) — the hash of the empty string. */
export function emptyTreeHash(): Buffer {
  return sha256('');
}

/**
 * MTH(D[n]) straight from the recursive definition. O(n) hashes, O(log n) recursion depth;
 * the reference the store-based and incremental computations are tested against.
 */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Buffer {
  if (leafHashes.length === 0) return emptyTreeHash();
  return merkleTreeHash(leafHashes, 0, leafHashes.length);
}

function merkleTreeHash(leafHashes: readonly Uint8Array[], start: number, end: number): Buffer {
  const size = end - start;
  if (size === 1) return Buffer.from(leafHashes[start]);
  const split = start + largestPowerOfTwoLessThan(size);
  return nodeHash(merkleTreeHash(leafHashes, start, split), merkleTreeHash(leafHashes, split, end));
}

/** k in the RFC: the largest power of two strictly smaller than n (n ≥ 2). */
export function largestPowerOfTwoLessThan(n: number): number {
  if (!Number.isSafeInteger(n) || n < 2) {
    throw new MerkleError(MerkleErrorCode.InvalidTreeSize, `no power of two below ${n} splits a tree`);
  }
  let power = 1;
  while (power * 2 < n) power *= 2;
  return power;
}

export function isHash(value: unknown): value is Buffer {
  return Buffer.isBuffer(value) && value.length === HASH_SIZE;
}

export function hashToHex(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex');
}

/** Accepts upper or lower case; anything that is not exactly 32 bytes of hex is rejected. */
export function hashFromHex(hex: string): Buffer {
  if (typeof hex !== 'string' || !HEX_HASH.test(hex)) {
    throw new MerkleError(MerkleErrorCode.InvalidHash, 'a hash must be 64 hexadecimal characters');
  }
  return Buffer.from(hex, 'hex');
}
