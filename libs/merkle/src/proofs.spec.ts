import fc from 'fast-check';
import { hashToHex, leafHash, nodeHash, rootFromLeafHashes } from './hashing';
import { MerkleError, MerkleErrorCode } from './merkle-error';
import {
  appendLeaf,
  appendLeaves,
  completeSubtreePositions,
  InMemoryMerkleNodeStore,
  MerkleNodeStore,
  NodePosition,
} from './node-store';
import { consistencyProof, inclusionProof, rootAt, subtreeHash } from './proofs';
import { verifyConsistency, verifyInclusion } from './proof-verification';

const MAX_SIZE = 300;
const leaves = Array.from({ length: MAX_SIZE }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
const referenceRoots = Array.from({ length: MAX_SIZE + 1 }, (_, size) => rootFromLeafHashes(leaves.slice(0, size)));

/** Built one leaf at a time, the way the audit service appends. */
let store: InMemoryMerkleNodeStore;

beforeAll(async () => {
  store = new InMemoryMerkleNodeStore();
  for (let size = 0; size < MAX_SIZE; size += 1) {
    store.put(await appendLeaf(store, size, leaves[size]));
  }
});

/** Wraps a store and records every position read. */
class CountingStore implements MerkleNodeStore {
  readonly reads: NodePosition[] = [];
  batches = 0;
  constructor(private readonly inner: MerkleNodeStore) {}
  async getNode(level: number, index: number): Promise<Buffer> {
    this.reads.push({ level, index });
    return this.inner.getNode(level, index);
  }
  async getNodes(positions: readonly NodePosition[]): Promise<Buffer[]> {
    this.batches += 1;
    this.reads.push(...positions);
    return Promise.all(positions.map(({ level, index }) => this.inner.getNode(level, index)));
  }
}

/** A consistent tree of any size whose leaves are all equal, so node (L, i) = H_L without storing anything. */
class UniformTreeStore implements MerkleNodeStore {
  private readonly hashByLevel: Buffer[] = [leafHash(Buffer.from('same'))];
  async getNode(level: number): Promise<Buffer> {
    while (this.hashByLevel.length <= level) {
      const below = this.hashByLevel[this.hashByLevel.length - 1];
      this.hashByLevel.push(nodeHash(below, below));
    }
    return this.hashByLevel[level];
  }
}

function flipBit(hash: Buffer, bit: number): Buffer {
  const copy = Buffer.from(hash);
  copy[Math.floor(bit / 8) % copy.length] ^= 1 << (bit % 8);
  return copy;
}

/** Every way a proof can be damaged in transit or by a dishonest server. */
type ProofDamage =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'drop'; at: number }
  | { kind: 'append'; extra: Buffer }
  | { kind: 'prepend'; extra: Buffer }
  | { kind: 'swap'; at: number };

const damageArbitrary: fc.Arbitrary<ProofDamage> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(255) }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('append' as const),
    extra: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(Buffer.from),
  }),
  fc.record({
    kind: fc.constant('prepend' as const),
    extra: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(Buffer.from),
  }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
);

/** Returns undefined when the damage does not apply (e.g. dropping from an empty proof). */
function damage(proof: readonly Buffer[], how: ProofDamage): Buffer[] | undefined {
  const damaged = [...proof];
  switch (how.kind) {
    case 'flip':
      if (proof.length === 0) return undefined;
      damaged[how.at % proof.length] = flipBit(proof[how.at % proof.length], how.bit);
      return damaged;
    case 'drop':
      if (proof.length === 0) return undefined;
      damaged.splice(how.at % proof.length, 1);
      return damaged;
    case 'append':
      return [...proof, how.extra];
    case 'prepend':
      return [how.extra, ...proof];
    case 'swap': {
      if (proof.length < 2) return undefined;
      const i = how.at % (proof.length - 1);
      [damaged[i], damaged[i + 1]] = [damaged[i + 1], damaged[i]];
      return damaged;
    }
  }
}

describe('store-backed Merkle tree', () => {
  it('computes every root from stored nodes exactly as the recursive MTH definition does', async () => {
    for (let size = 0; size <= MAX_SIZE; size += 1) {
      expect(hashToHex(await rootAt(store, size))).toBe(hashToHex(referenceRoots[size]));
    }
  });

  it('stores the same nodes whether leaves are appended one by one or in batches', async () => {
    const batched = new InMemoryMerkleNodeStore();
    let size = 0;
    for (const batchSize of [1, 2, 7, 64, 1, 100, 125]) {
      batched.put(await appendLeaves(batched, size, leaves.slice(size, size + batchSize)));
      size += batchSize;
    }
    expect(size).toBe(MAX_SIZE);
    expect(batched.nodeCount).toBe(store.nodeCount);
    for (let level = 0; 2 ** level <= MAX_SIZE; level += 1) {
      for (let index = 0; (index + 1) * 2 ** level <= MAX_SIZE; index += 1) {
        expect(await batched.getNode(level, index)).toEqual(await store.getNode(level, index));
      }
    }
  });

  it('stores exactly the complete subtrees: 2n - popcount(n) nodes for n leaves', () => {
    const popcount = MAX_SIZE.toString(2).replace(/0/g, '').length;
    expect(store.nodeCount).toBe(2 * MAX_SIZE - popcount);
  });

  it('appends a leaf like a binary counter: one read and one new parent per trailing 1 bit of the size', async () => {
    for (const size of [0, 1, 2, 3, 7, 8, 11, 15, 255]) {
      const counting = new CountingStore(store);
      const created = await appendLeaf(counting, size, leaves[size]);
      const trailingOnes = size.toString(2).length - size.toString(2).replace(/1+$/, '').length;
      expect(counting.reads).toHaveLength(trailingOnes);
      expect(created).toHaveLength(1 + trailingOnes);
      expect(created[0]).toEqual({ level: 0, index: size, hash: leaves[size] });
      expect(created[created.length - 1].hash).toEqual(
        await subtreeHash(store, size + 1 - 2 ** trailingOnes, size + 1),
      );
    }
  });

  it('verifies every inclusion proof for every leaf of every tree size up to 300', async () => {
    let checked = 0;
    for (let treeSize = 1; treeSize <= MAX_SIZE; treeSize += 1) {
      for (let leafIndex = 0; leafIndex < treeSize; leafIndex += 1) {
        const proof = await inclusionProof(store, leafIndex, treeSize);
        if (!verifyInclusion(leaves[leafIndex], leafIndex, treeSize, proof, referenceRoots[treeSize])) {
          throw new Error(`inclusion proof for leaf ${leafIndex} of ${treeSize} does not verify`);
        }
        checked += 1;
      }
    }
    expect(checked).toBe((MAX_SIZE * (MAX_SIZE + 1)) / 2);
  });

  it('verifies every consistency proof for every 1 ≤ m ≤ n ≤ 300', async () => {
    let checked = 0;
    for (let n = 1; n <= MAX_SIZE; n += 1) {
      for (let m = 1; m <= n; m += 1) {
        const proof = await consistencyProof(store, m, n);
        if (!verifyConsistency(m, n, referenceRoots[m], referenceRoots[n], proof)) {
          throw new Error(`consistency proof from ${m} to ${n} does not verify`);
        }
        checked += 1;
      }
    }
    expect(checked).toBe((MAX_SIZE * (MAX_SIZE + 1)) / 2);
  });

  it('rejects any damaged inclusion proof', async () => {
    const caseArbitrary = fc
      .integer({ min: 1, max: MAX_SIZE })
      .chain((treeSize) => fc.tuple(fc.constant(treeSize), fc.nat(treeSize - 1), damageArbitrary));
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async ([treeSize, leafIndex, how]) => {
        const proof = await inclusionProof(store, leafIndex, treeSize);
        const damaged = damage(proof, how);
        fc.pre(damaged !== undefined);
        expect(verifyInclusion(leaves[leafIndex], leafIndex, treeSize, damaged!, referenceRoots[treeSize])).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects an inclusion proof held against the wrong root, leaf or index', async () => {
    const caseArbitrary = fc
      .integer({ min: 2, max: MAX_SIZE })
      .chain((treeSize) => fc.tuple(fc.constant(treeSize), fc.nat(treeSize - 1), fc.nat(treeSize - 1), fc.nat(255)));
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async ([treeSize, leafIndex, otherIndex, bit]) => {
        fc.pre(otherIndex !== leafIndex);
        const proof = await inclusionProof(store, leafIndex, treeSize);
        const root = referenceRoots[treeSize];
        expect(verifyInclusion(leaves[leafIndex], leafIndex, treeSize, proof, flipBit(root, bit))).toBe(false);
        expect(verifyInclusion(leaves[otherIndex], leafIndex, treeSize, proof, root)).toBe(false);
        expect(verifyInclusion(leaves[leafIndex], otherIndex, treeSize, proof, root)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects a leaf index at or beyond the tree size, and malformed input, without throwing', async () => {
    const proof = await inclusionProof(store, 3, 8);
    expect(verifyInclusion(leaves[8], 8, 8, proof, referenceRoots[8])).toBe(false);
    expect(verifyInclusion(leaves[0], 0, 0, [], referenceRoots[0])).toBe(false);
    expect(verifyInclusion(leaves[3], -1, 8, proof, referenceRoots[8])).toBe(false);
    expect(verifyInclusion(leaves[3], 3.5, 8, proof, referenceRoots[8])).toBe(false);
    expect(verifyInclusion(leaves[3], 3, 8, [...proof.slice(0, 2), proof[2].subarray(0, 31)], referenceRoots[8])).toBe(
      false,
    );
    expect(verifyInclusion(leaves[3], 3, 8, proof, referenceRoots[8])).toBe(true);
    await expect(inclusionProof(store, 8, 8)).rejects.toMatchObject({ code: MerkleErrorCode.IndexOutOfRange });
  });

  it('rejects any damaged consistency proof', async () => {
    const caseArbitrary = fc
      .integer({ min: 2, max: MAX_SIZE })
      .chain((n) => fc.tuple(fc.integer({ min: 1, max: n - 1 }), fc.constant(n), damageArbitrary));
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async ([m, n, how]) => {
        const proof = await consistencyProof(store, m, n);
        const damaged = damage(proof, how);
        fc.pre(damaged !== undefined);
        expect(verifyConsistency(m, n, referenceRoots[m], referenceRoots[n], damaged!)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a consistency proof against the wrong roots, swapped sizes or swapped roots', async () => {
    const caseArbitrary = fc
      .integer({ min: 2, max: MAX_SIZE })
      .chain((n) => fc.tuple(fc.integer({ min: 1, max: n - 1 }), fc.constant(n), fc.nat(255)));
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async ([m, n, bit]) => {
        const proof = await consistencyProof(store, m, n);
        const [rootM, rootN] = [referenceRoots[m], referenceRoots[n]];
        expect(verifyConsistency(m, n, flipBit(rootM, bit), rootN, proof)).toBe(false);
        expect(verifyConsistency(m, n, rootM, flipBit(rootN, bit), proof)).toBe(false);
        expect(verifyConsistency(n, m, rootN, rootM, proof)).toBe(false);
        expect(verifyConsistency(m, n, rootN, rootM, proof)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('treats m = n and m = 0 as consistent only with an empty proof and matching roots', async () => {
    expect(await consistencyProof(store, 5, 5)).toEqual([]);
    expect(await consistencyProof(store, 0, 5)).toEqual([]);
    expect(verifyConsistency(5, 5, referenceRoots[5], referenceRoots[5], [])).toBe(true);
    expect(verifyConsistency(5, 5, referenceRoots[5], referenceRoots[6], [])).toBe(false);
    expect(verifyConsistency(5, 5, referenceRoots[5], referenceRoots[5], [leaves[0]])).toBe(false);
    expect(verifyConsistency(0, 5, referenceRoots[0], referenceRoots[5], [])).toBe(true);
    expect(verifyConsistency(0, 5, referenceRoots[1], referenceRoots[5], [])).toBe(false);
    expect(verifyConsistency(6, 5, referenceRoots[6], referenceRoots[5], [])).toBe(false);
    await expect(consistencyProof(store, 6, 5)).rejects.toMatchObject({ code: MerkleErrorCode.IndexOutOfRange });
  });

  it('rejects a consistency proof for m < n that is empty', () => {
    expect(verifyConsistency(4, 8, referenceRoots[4], referenceRoots[8], [])).toBe(false);
  });

  it('decomposes a subtree range into aligned complete subtrees, largest first', () => {
    expect(completeSubtreePositions(0, 7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(completeSubtreePositions(8, 16)).toEqual([{ level: 3, index: 1 }]);
    expect(completeSubtreePositions(12, 15)).toEqual([
      { level: 1, index: 6 },
      { level: 0, index: 14 },
    ]);
  });

  it('computes MTH of any subtree range and refuses ranges that are no subtree', async () => {
    expect(await subtreeHash(store, 8, 13)).toEqual(rootFromLeafHashes(leaves.slice(8, 13)));
    expect(await subtreeHash(store, 256, 300)).toEqual(rootFromLeafHashes(leaves.slice(256, 300)));
    for (const [start, end] of [
      [3, 5],
      [4, 9],
      [5, 5],
      [-1, 3],
    ]) {
      await expect(subtreeHash(store, start, end)).rejects.toMatchObject({ code: MerkleErrorCode.InvalidRange });
    }
  });

  it('fails loudly when the store is missing a node rather than inventing a hash', async () => {
    const empty = new InMemoryMerkleNodeStore();
    await expect(rootAt(empty, 3)).rejects.toMatchObject({ code: MerkleErrorCode.MissingNode });
    await expect(appendLeaf(empty, 1, leaves[1])).rejects.toBeInstanceOf(MerkleError);
  });

  it('reads O(log n) nodes in one batch per proof, even for trees of 2^40 leaves', async () => {
    const treeSize = 2 ** 40 + 2 ** 33 + 12345;
    const uniform = new UniformTreeStore();
    const root = await rootAt(uniform, treeSize);
    const sameLeaf = await uniform.getNode(0);
    const depth = Math.ceil(Math.log2(treeSize));
    for (const leafIndex of [0, 2 ** 39 + 7, treeSize - 1]) {
      const counting = new CountingStore(uniform);
      const proof = await inclusionProof(counting, leafIndex, treeSize);
      expect(counting.batches).toBe(1);
      expect(counting.reads.length).toBeLessThanOrEqual(2 * depth);
      expect(verifyInclusion(sameLeaf, leafIndex, treeSize, proof, root)).toBe(true);
    }
    for (const m of [1, 2 ** 40, 2 ** 40 + 1, treeSize - 1]) {
      const counting = new CountingStore(uniform);
      const proof = await consistencyProof(counting, m, treeSize);
      expect(counting.batches).toBe(1);
      expect(counting.reads.length).toBeLessThanOrEqual(3 * depth);
      expect(verifyConsistency(m, treeSize, await rootAt(uniform, m), root, proof)).toBe(true);
    }
  });
});
