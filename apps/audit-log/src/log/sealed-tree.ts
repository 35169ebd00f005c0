import { Injectable } from '@nestjs/common';
import { Checkpoint, emptyTreeHash, hashFromHex, hashToHex, MerkleNodeStore, rootAt } from '@hub/merkle';
import { CheckpointKey } from '../signing/checkpoint-key';
import { SqlRunner } from './postgres-node-store';

/** The log is not what this service wrote: it refuses to build on it or to sign it until an operator looks. */
export class LogIntegrityError extends Error {
  constructor(
    message: string,
    /** The first position known to be wrong, when there is one. */
    readonly seq?: number,
  ) {
    super(message);
    this.name = 'LogIntegrityError';
  }
}

/** A tree size and root that the service itself sealed, and that the stored entries and nodes still match. */
export interface SealedTree {
  treeSize: number;
  root: Buffer;
}

/**
 * Every append transaction stores a tree head signed with the checkpoint key (a seal). Since the key is not in
 * the database, the newest seal tells the service which tree it built last, whatever the database says now:
 * rows appended behind its back, rows removed from the end, or a rewritten tree are refused before anything
 * is signed or appended on top of them.
 */
@Injectable()
export class SealedTreeReader {
  constructor(private readonly key: CheckpointKey) {}

  /**
   * The newest seal, checked against the end of the log. Use inside the transaction that acts on it. (A row
   * missing in the middle is the verifier's to find: the tree still holds its leaf.)
   */
  async newest(db: SqlRunner): Promise<SealedTree> {
    const [head] = await db.query(
      `SELECT tree_size::text AS "treeSize", root_hash AS "rootHash", signed_at AS timestamp, key_id AS "keyId", signature
       FROM audit.tree_heads ORDER BY tree_size DESC LIMIT 1`,
    );
    const [{ next }]: { next: string }[] = await db.query(
      `SELECT coalesce(max(seq) + 1, 0)::text AS next FROM audit.entries`,
    );
    const nextSeq = Number(next);
    if (!head) {
      if (nextSeq > 0) throw new LogIntegrityError(`the log holds entries but no tree head sealed by this service`, 0);
      return { treeSize: 0, root: emptyTreeHash() };
    }
    const seal: Checkpoint = { ...head, treeSize: Number(head.treeSize) };
    if (!this.key.signed(seal)) {
      throw new LogIntegrityError(
        `the newest tree head (size ${seal.treeSize}) is not signed by this service's key ${this.key.keyId}` +
          (seal.keyId === this.key.keyId ? '' : ` (it names key ${seal.keyId}; was the signing key replaced?)`),
      );
    }
    if (nextSeq > seal.treeSize) {
      throw new LogIntegrityError(
        `entries from seq ${seal.treeSize} on were not appended by this service: its newest sealed tree head covers ${seal.treeSize} entries`,
        seal.treeSize,
      );
    }
    if (nextSeq < seal.treeSize) {
      throw new LogIntegrityError(
        `the newest sealed tree head covers ${seal.treeSize} entries but the log ends at seq ${nextSeq - 1}`,
        nextSeq,
      );
    }
    return { treeSize: seal.treeSize, root: hashFromHex(seal.rootHash) };
  }

  /** The stored nodes must still fold into the sealed root (O(log n) reads). */
  async assertNodesMatch(store: MerkleNodeStore, sealed: SealedTree): Promise<void> {
    let root: Buffer;
    try {
      root = await rootAt(store, sealed.treeSize);
    } catch (error) {
      throw new LogIntegrityError(
        `the Merkle nodes of the sealed tree (size ${sealed.treeSize}) cannot be read: ${(error as Error).message}`,
      );
    }
    if (!root.equals(sealed.root)) {
      throw new LogIntegrityError(
        `the stored Merkle nodes give root ${hashToHex(root)} at size ${sealed.treeSize}, but this service sealed ${hashToHex(sealed.root)}`,
      );
    }
  }
}
