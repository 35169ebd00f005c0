import { emptyTreeHash, isHash, nodeHash } from './hashing';
import { MerkleError, MerkleErrorCode } from './merkle-error';

/**
 * A Merkle tree that keeps only the roots of its complete subtrees (one per set bit of the size,
 * largest first), so appending is amortised O(1) hashes and memory is O(log n). The auditor's verifier
 * folds millions of entries through this without ever holding the leaves.
 */
export class CompactMerkleTree {
  private readonly subtreeRoots: Buffer[] = [];
  private leafCount = 0;

  get size(): number {
    return this.leafCount;
  }

  append(leafHash: Buffer): void {
    if (!isHash(leafHash)) {
      throw new MerkleError(MerkleErrorCode.InvalidHash, 'a leaf hash must be a 32-byte Buffer');
    }
    let hash = leafHash;
    // Each trailing 1 bit of the old size is a complete subtree of the same height as `hash`: merge them.
    for (let carry = this.leafCount; carry % 2 === 1; carry = (carry - 1) / 2) {
      hash = nodeHash(this.subtreeRoots.pop()!, hash);
    }
    this.subtreeRoots.push(hash);
    this.leafCount += 1;
  }

  /** MTH of everything appended so far: O(log n) hashes. */
  root(): Buffer {
    if (this.subtreeRoots.length === 0) return emptyTreeHash();
    let hash = this.subtreeRoots[this.subtreeRoots.length - 1];
    for (let i = this.subtreeRoots.length - 2; i >= 0; i -= 1) {
      hash = nodeHash(this.subtreeRoots[i], hash);
    }
    return hash;
  }
}
