import { isHash, nodeHash } from './hashing';
import { MerkleError, MerkleErrorCode } from './merkle-error';

/*
 * Storage layout
 * --------------
 * Only complete (perfect) subtrees are stored. The node at (level L, index i) is
 * MTH(D[i·2^L : (i+1)·2^L]); level 0 holds the leaf hashes. In PostgreSQL:
 *
 *   CREATE TABLE audit.merkle_nodes (
 *     level int    NOT NULL,   -- 0 = leaf hash
 *     idx   bigint NOT NULL,   -- position among the nodes of that level
 *     hash  bytea  NOT NULL,   -- 32 bytes
 *     PRIMARY KEY (level, idx)
 *   );
 *
 * A node is written once, in the transaction that appends its last leaf (see appendLeaves), and never
 * changes afterwards, so the table is INSERT-only like the log itself. A tree of n leaves has fewer than
 * 2n rows. Subtrees on the ragged right edge of a tree are never stored: any subtree of a Merkle tree is
 * a left-to-right run of at most log2(n) stored nodes (completeSubtreePositions), so every root and proof
 * costs O(log n) node reads, which getNodes can fetch in one round trip:
 *
 *   SELECT level, idx, hash FROM audit.merkle_nodes
 *    WHERE (level, idx) IN (SELECT * FROM unnest($1::int[], $2::bigint[]))
 */

export interface NodePosition {
  readonly level: number;
  readonly index: number;
}

export interface StoredMerkleNode extends NodePosition {
  readonly hash: Buffer;
}

export interface MerkleNodeStore {
  /** Must reject when the node is absent: a missing node means a broken store, never an empty hash. */
  getNode(level: number, index: number): Promise<Buffer>;
  /** Optional batch read, results in the order asked; lets a database answer a whole proof in one query. */
  getNodes?(positions: readonly NodePosition[]): Promise<Buffer[]>;
}

export async function readNodes(store: MerkleNodeStore, positions: readonly NodePosition[]): Promise<Buffer[]> {
  if (positions.length === 0) return [];
  const hashes = store.getNodes
    ? await store.getNodes(positions)
    : await Promise.all(positions.map((position) => store.getNode(position.level, position.index)));
  if (hashes.length !== positions.length) {
    throw new MerkleError(
      MerkleErrorCode.MissingNode,
      `the node store returned ${hashes.length} nodes for ${positions.length} positions`,
    );
  }
  hashes.forEach((hash, i) => {
    if (!isHash(hash)) {
      const { level, index } = positions[i];
      throw new MerkleError(MerkleErrorCode.MissingNode, `node (level ${level}, index ${index}) is not a 32-byte hash`);
    }
  });
  return hashes;
}

/** Reference store for tests and tools; the audit service keeps the same layout in PostgreSQL. */
export class InMemoryMerkleNodeStore implements MerkleNodeStore {
  private readonly levels: Buffer[][] = [];

  async getNode(level: number, index: number): Promise<Buffer> {
    return this.getNodeSync(level, index);
  }

  async getNodes(positions: readonly NodePosition[]): Promise<Buffer[]> {
    return positions.map(({ level, index }) => this.getNodeSync(level, index));
  }

  put(nodes: readonly StoredMerkleNode[]): void {
    for (const { level, index, hash } of nodes) {
      const row = this.levels[level] ?? (this.levels[level] = []);
      row[index] = hash;
    }
  }

  get nodeCount(): number {
    return this.levels.reduce((count, row) => count + row.filter(Boolean).length, 0);
  }

  private getNodeSync(level: number, index: number): Buffer {
    const hash = this.levels[level]?.[index];
    if (!hash) {
      throw new MerkleError(MerkleErrorCode.MissingNode, `no stored node at level ${level}, index ${index}`);
    }
    return hash;
  }
}

/**
 * The stored nodes whose concatenation, left to right, is D[start:end]: the binary digits of the range
 * length, largest first. Only ranges that are subtrees of some Merkle tree qualify — start must be a
 * multiple of the smallest power of two ≥ (end - start) — because only then are the pieces aligned
 * complete subtrees and their right-to-left fold equal to MTH(D[start:end]).
 */
export function completeSubtreePositions(start: number, end: number): NodePosition[] {
  assertSubtreeRange(start, end);
  const positions: NodePosition[] = [];
  let cursor = start;
  let remaining = end - start;
  let width = smallestPowerOfTwoAtLeast(remaining);
  let level = Math.log2(width);
  while (remaining > 0) {
    if (width <= remaining) {
      positions.push({ level, index: cursor / width });
      cursor += width;
      remaining -= width;
    }
    width /= 2;
    level -= 1;
  }
  return positions;
}

export function assertSubtreeRange(start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start) {
    throw new MerkleError(MerkleErrorCode.InvalidRange, `[${start}, ${end}) is not a non-empty leaf range`);
  }
  if (start % smallestPowerOfTwoAtLeast(end - start) !== 0) {
    throw new MerkleError(MerkleErrorCode.InvalidRange, `[${start}, ${end}) is not a subtree of any Merkle tree`);
  }
}

function smallestPowerOfTwoAtLeast(n: number): number {
  let power = 1;
  while (power < n) power *= 2;
  return power;
}

/**
 * The complete-subtree nodes created by appending `leafHashes` to a tree of `size` leaves: each leaf,
 * then every parent it completes, like the carries of a binary counter (at most log2(n) per leaf).
 * The caller persists them, ideally in the same transaction as the entries. Reads only the stored
 * nodes of the old tree that get a new parent, in one batch.
 */
export async function appendLeaves(
  store: MerkleNodeStore,
  size: number,
  leafHashes: readonly Buffer[],
): Promise<StoredMerkleNode[]> {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new MerkleError(MerkleErrorCode.InvalidTreeSize, `tree size ${size} is not a non-negative integer`);
  }
  if (!leafHashes.every(isHash)) {
    throw new MerkleError(MerkleErrorCode.InvalidHash, 'every leaf hash must be a 32-byte Buffer');
  }
  const newSize = size + leafHashes.length;
  if (!Number.isSafeInteger(newSize)) {
    throw new MerkleError(MerkleErrorCode.InvalidTreeSize, `tree size ${newSize} exceeds the safe integer range`);
  }

  const frontier = size === 0 ? [] : completeSubtreePositions(0, size);
  // A frontier node is a left child (its index is even); it is read only if its right sibling completes.
  const neededFrontier = frontier.filter(({ level, index }) => newSize >= (index + 2) * 2 ** level);
  const neededHashes = await readNodes(store, neededFrontier);
  const hashByPosition = new Map(neededFrontier.map((position, i) => [positionKey(position), neededHashes[i]]));

  const stack: Array<NodePosition & { hash: Buffer | undefined }> = frontier.map((position) => ({
    ...position,
    hash: hashByPosition.get(positionKey(position)),
  }));
  const created: StoredMerkleNode[] = [];
  leafHashes.forEach((hash, offset) => {
    let node = { level: 0, index: size + offset, hash };
    created.push(node);
    while (stack.length > 0 && stack[stack.length - 1].level === node.level) {
      const left = stack.pop()!;
      if (!left.hash) {
        throw new MerkleError(
          MerkleErrorCode.MissingNode,
          `node (level ${left.level}, index ${left.index}) was not read`,
        );
      }
      node = { level: node.level + 1, index: left.index / 2, hash: nodeHash(left.hash, node.hash) };
      created.push(node);
    }
    stack.push(node);
  });
  return created;
}

export function appendLeaf(store: MerkleNodeStore, size: number, leafHash: Buffer): Promise<StoredMerkleNode[]> {
  return appendLeaves(store, size, [leafHash]);
}

function positionKey({ level, index }: NodePosition): string {
  return `${level}:${index}`;
}
