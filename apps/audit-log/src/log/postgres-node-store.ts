import { MerkleError, MerkleErrorCode, MerkleNodeStore, NodePosition, StoredMerkleNode } from '@hub/merkle';

import { SqlRunner } from '@hub/database/sql-runner';

export type { SqlRunner };

/**
 * libs/merkle's node store on the merkle_nodes table. Every root and proof needs at most 2·log2(n) nodes, and
 * getNodes fetches any set of them in one round trip through the primary key.
 */
export class PostgresMerkleNodeStore implements MerkleNodeStore {
  constructor(
    private readonly db: SqlRunner,
    private readonly table = 'audit.merkle_nodes',
  ) {}

  async getNode(level: number, index: number): Promise<Buffer> {
    const [hash] = await this.getNodes([{ level, index }]);
    return hash;
  }

  async getNodes(positions: readonly NodePosition[]): Promise<Buffer[]> {
    if (positions.length === 0) return [];
    const rows: { level: number; idx: string; hash: Buffer }[] = await this.db.query(
      `SELECT n.level, n.idx, n.hash FROM ${this.table} n
       JOIN unnest($1::int[], $2::bigint[]) AS wanted(level, idx) ON n.level = wanted.level AND n.idx = wanted.idx`,
      [positions.map((p) => p.level), positions.map((p) => String(p.index))],
    );
    const byPosition = new Map(rows.map((row) => [`${row.level}:${row.idx}`, row.hash]));
    return positions.map(({ level, index }) => {
      const hash = byPosition.get(`${level}:${index}`);
      if (!hash) throw new MerkleError(MerkleErrorCode.MissingNode, `no stored node at level ${level}, index ${index}`);
      return hash;
    });
  }

  /** Nodes are written once, in the transaction that appends the leaf completing them. */
  async insert(nodes: readonly StoredMerkleNode[]): Promise<void> {
    if (nodes.length === 0) return;
    await this.db.query(
      `INSERT INTO ${this.table} (level, idx, hash)
       SELECT level, idx, decode(hash, 'hex') FROM unnest($1::int[], $2::bigint[], $3::text[]) AS node(level, idx, hash)`,
      [nodes.map((n) => n.level), nodes.map((n) => String(n.index)), nodes.map((n) => n.hash.toString('hex'))],
    );
  }
}
