import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Checkpoint, consistencyProof, hashToHex, inclusionProof } from '@hub/merkle';
import { ErrorCode, HubError } from '@hub/platform/errors';
import { PostgresMerkleNodeStore } from '../log/postgres-node-store';
import { LogIntegrityError, SealedTreeReader } from '../log/sealed-tree';
import { CheckpointKey } from '../signing/checkpoint-key';

export interface InclusionProofView {
  seq: number;
  treeSize: number;
  leafHash: string;
  proof: string[];
}

export interface ConsistencyProofView {
  from: number;
  to: number;
  proof: string[];
}

/** Signed checkpoints and Merkle proofs, all from the stored complete subtrees: O(log n) node reads each. */
@Injectable()
export class TreeService {
  private readonly logger = new Logger(TreeService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sealedTrees: SealedTreeReader,
    private readonly key: CheckpointKey,
  ) {}

  /**
   * Signs the newest tree this service sealed, with the current time, after checking that the database still
   * holds exactly that tree. A log edited behind the service's back gets no signature (500 naming the problem).
   * Every issued checkpoint is kept (append-only).
   */
  async issueCheckpoint(requestedByKeyId: string): Promise<Checkpoint> {
    try {
      // One snapshot for the seal, the entry count and the nodes, while appends go on.
      return await this.dataSource.transaction('REPEATABLE READ', async (manager) => {
        const sealed = await this.sealedTrees.newest(manager);
        await this.sealedTrees.assertNodesMatch(new PostgresMerkleNodeStore(manager), sealed);
        const checkpoint = this.key.sign(sealed.treeSize, sealed.root);
        await manager.query(
          `INSERT INTO audit.checkpoints (tree_size, root_hash, signed_at, key_id, signature, requested_by) VALUES ($1, $2, $3, $4, $5, $6)`,
          [
            checkpoint.treeSize,
            checkpoint.rootHash,
            checkpoint.timestamp,
            checkpoint.keyId,
            checkpoint.signature,
            requestedByKeyId,
          ],
        );
        return checkpoint;
      });
    } catch (error) {
      if (!(error instanceof LogIntegrityError)) throw error;
      this.logger.error(
        { err: error.message, seq: error.seq },
        'refusing to sign a checkpoint: the log fails its integrity check',
      );
      throw new HubError(
        ErrorCode.Internal,
        `The audit log failed its integrity check, so no checkpoint is signed: ${error.message}`,
      );
    }
  }

  /** The size of the newest sealed tree: every proof up to it can be served. */
  async currentTreeSize(): Promise<number> {
    const [{ size }]: { size: string }[] = await this.dataSource.query(
      `SELECT coalesce(max(tree_size), 0)::text AS size FROM audit.tree_heads`,
    );
    return Number(size);
  }

  async inclusionProof(seq: number, requestedTreeSize: number | undefined): Promise<InclusionProofView> {
    const current = await this.currentTreeSize();
    const treeSize = requestedTreeSize ?? current;
    if (treeSize > current)
      throw HubError.validation([{ path: 'treeSize', message: `must not exceed the current tree size ${current}` }]);
    if (seq >= treeSize) {
      throw HubError.validation([{ path: 'seq', message: `must be below the tree size ${treeSize}` }]);
    }
    const store = new PostgresMerkleNodeStore(this.dataSource);
    const [leafHash, proof] = await Promise.all([store.getNode(0, seq), inclusionProof(store, seq, treeSize)]);
    return { seq, treeSize, leafHash: hashToHex(leafHash), proof: proof.map(hashToHex) };
  }

  async consistencyProof(from: number, requestedTo: number | undefined): Promise<ConsistencyProofView> {
    const current = await this.currentTreeSize();
    const to = requestedTo ?? current;
    if (to > current)
      throw HubError.validation([{ path: 'to', message: `must not exceed the current tree size ${current}` }]);
    if (from > to) throw HubError.validation([{ path: 'from', message: `must not exceed to (${to})` }]);
    const proof = await consistencyProof(new PostgresMerkleNodeStore(this.dataSource), from, to);
    return { from, to, proof: proof.map(hashToHex) };
  }
}
