import { createHash } from 'node:crypto';
import { Client } from 'pg';
import {
  appendLeaves,
  consistencyProof,
  inclusionProof,
  InMemoryMerkleNodeStore,
  leafHash,
  MerkleError,
  NodePosition,
  rootAt,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from '@hub/merkle';
import { testEnvironment } from '@hub/testing';
import { merkleNodesTableSql } from '../migrations/1764201600102-audit-log';
import { PostgresMerkleNodeStore } from './postgres-node-store';

const SCHEMA = 'audit_node_store_it';
const LEAVES = 300;

/** Counts the node positions each operation asks the database for. */
class CountingStore extends PostgresMerkleNodeStore {
  positionsRead = 0;
  override async getNodes(positions: readonly NodePosition[]): Promise<Buffer[]> {
    this.positionsRead += positions.length;
    return super.getNodes(positions);
  }
}

describe('the Merkle tree stored in PostgreSQL (merkle_nodes)', () => {
  const client = new Client({ connectionString: testEnvironment().databaseUrl });
  const db = { query: async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rows };
  const store = new CountingStore(db, `${SCHEMA}.merkle_nodes`);
  const reference = new InMemoryMerkleNodeStore();
  const leaves = Array.from({ length: LEAVES }, (_, i) => leafHash(createHash('sha256').update(`entry ${i}`).digest()));

  beforeAll(async () => {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await client.query(`CREATE SCHEMA ${SCHEMA}`);
    await client.query(merkleNodesTableSql(SCHEMA));
    // Appends in uneven batches, as the service does: one transaction's worth of leaves at a time.
    for (let size = 0, batch = 1; size < LEAVES; size += batch, batch = (batch % 7) + 1) {
      const next = leaves.slice(size, size + batch);
      await store.insert(await appendLeaves(store, size, next));
      reference.put(await appendLeaves(reference, size, next));
    }
  });

  afterAll(async () => {
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await client.end();
  });

  it('holds only complete subtrees: fewer than 2n rows, as many as the reference store', async () => {
    const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM ${SCHEMA}.merkle_nodes`);
    expect(count).toBe(reference.nodeCount);
    expect(count).toBeLessThan(2 * LEAVES);
  });

  it('gives the RFC 6962 root at every size', async () => {
    for (let size = 0; size <= LEAVES; size += 1) {
      expect((await rootAt(store, size)).equals(rootFromLeafHashes(leaves.slice(0, size)))).toBe(true);
    }
  });

  it('serves inclusion proofs that verify, reading O(log n) nodes', async () => {
    for (const treeSize of [1, 2, 3, 7, 8, 9, 64, 100, 255, 256, 257, LEAVES]) {
      const root = rootFromLeafHashes(leaves.slice(0, treeSize));
      for (const index of new Set(
        [0, 1, Math.floor(treeSize / 2), treeSize - 2, treeSize - 1].filter((i) => i >= 0 && i < treeSize),
      )) {
        store.positionsRead = 0;
        const proof = await inclusionProof(store, index, treeSize);
        expect(store.positionsRead).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(treeSize + 1)));
        expect(proof).toEqual(await inclusionProof(reference, index, treeSize));
        expect(verifyInclusion(leaves[index], index, treeSize, proof, root)).toBe(true);
      }
    }
  });

  it('serves consistency proofs that verify, reading O(log n) nodes', async () => {
    for (const [from, to] of [
      [1, 2],
      [3, 7],
      [4, 8],
      [6, 8],
      [7, 64],
      [100, 255],
      [128, 256],
      [255, 257],
      [1, LEAVES],
      [LEAVES - 1, LEAVES],
    ]) {
      store.positionsRead = 0;
      const proof = await consistencyProof(store, from, to);
      expect(store.positionsRead).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(to + 1)) + 2);
      expect(proof).toEqual(await consistencyProof(reference, from, to));
      const ok = verifyConsistency(
        from,
        to,
        rootFromLeafHashes(leaves.slice(0, from)),
        rootFromLeafHashes(leaves.slice(0, to)),
        proof,
      );
      expect(ok).toBe(true);
    }
  });

  it('refuses to stand in for a missing node', async () => {
    await expect(store.getNode(0, LEAVES + 10)).rejects.toThrow(MerkleError);
    await expect(rootAt(store, LEAVES + 1)).rejects.toThrow(/no stored node/);
  });
});
