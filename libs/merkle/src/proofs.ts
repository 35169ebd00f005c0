import { emptyTreeHash, largestPowerOfTwoLessThan, nodeHash } from './hashing';
import { MerkleError, MerkleErrorCode } from './merkle-error';
import { completeSubtreePositions, MerkleNodeStore, NodePosition, readNodes } from './node-store';

/** Proof generation per RFC 9162 §2.1.3.1 (PATH) and §2.1.4.1 (SUBPROOF), reading complete subtrees from a store. */

interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/** MTH(D[start:end]) for a range that is a subtree of some Merkle tree (see completeSubtreePositions). */
export async function subtreeHash(store: MerkleNodeStore, start: number, end: number): Promise<Buffer> {
  const [hash] = await hashRanges(store, [{ start, end }]);
  return hash;
}

export async function rootAt(store: MerkleNodeStore, treeSize: number): Promise<Buffer> {
  assertTreeSize(treeSize);
  return treeSize === 0 ? emptyTreeHash() : subtreeHash(store, 0, treeSize);
}

/** PATH(leafIndex, D[treeSize]): sibling subtree hashes from the leaf upwards. */
export async function inclusionProof(store: MerkleNodeStore, leafIndex: number, treeSize: number): Promise<Buffer[]> {
  assertTreeSize(treeSize);
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= treeSize) {
    throw new MerkleError(MerkleErrorCode.IndexOutOfRange, `leaf ${leafIndex} is not in a tree of ${treeSize} leaves`);
  }
  return hashRanges(store, inclusionPathRanges(leafIndex, treeSize));
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true); empty when m is 0 or m = n. */
export async function consistencyProof(store: MerkleNodeStore, m: number, n: number): Promise<Buffer[]> {
  assertTreeSize(m);
  assertTreeSize(n);
  if (m > n) {
    throw new MerkleError(MerkleErrorCode.IndexOutOfRange, `a tree of ${m} leaves cannot be a prefix of one of ${n}`);
  }
  if (m === 0 || m === n) return [];
  return hashRanges(store, consistencyProofRanges(m, n));
}

function inclusionPathRanges(leafIndex: number, treeSize: number): LeafRange[] {
  const topDown: LeafRange[] = [];
  let start = 0;
  let end = treeSize;
  while (end - start > 1) {
    const split = start + largestPowerOfTwoLessThan(end - start);
    if (leafIndex < split) {
      topDown.push({ start: split, end });
      end = split;
    } else {
      topDown.push({ start, end: split });
      start = split;
    }
  }
  return topDown.reverse();
}

function consistencyProofRanges(m: number, n: number): LeafRange[] {
  const topDown: LeafRange[] = [];
  let start = 0;
  let end = n;
  // SUBPROOF's flag b: stays true while the old tree is still a left-aligned prefix of the current subtree.
  let oldRootIsKnown = true;
  while (m !== end) {
    const split = start + largestPowerOfTwoLessThan(end - start);
    if (m <= split) {
      topDown.push({ start: split, end });
      end = split;
    } else {
      topDown.push({ start, end: split });
      start = split;
      oldRootIsKnown = false;
    }
  }
  if (!oldRootIsKnown) topDown.push({ start, end });
  return topDown.reverse();
}

async function hashRanges(store: MerkleNodeStore, ranges: readonly LeafRange[]): Promise<Buffer[]> {
  const positionsPerRange = ranges.map(({ start, end }) => completeSubtreePositions(start, end));
  const allPositions: NodePosition[] = positionsPerRange.flat();
  const nodes = await readNodes(store, allPositions);
  let next = 0;
  return positionsPerRange.map((positions) => {
    const pieces = nodes.slice(next, next + positions.length);
    next += positions.length;
    return pieces.reduceRight((right, left) => nodeHash(left, right));
  });
}

function assertTreeSize(treeSize: number): void {
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) {
    throw new MerkleError(MerkleErrorCode.InvalidTreeSize, `tree size ${treeSize} is not a non-negative integer`);
  }
}
