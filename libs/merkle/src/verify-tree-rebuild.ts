import { auditEntryLeafHash } from './audit-leaf';
import { CompactMerkleTree } from './compact-merkle-tree';
import { emptyTreeHash, hashToHex, leafHashOfUtf8 } from './hashing';
import { EntryPages } from './verify-source';

// The per-entry loop of the verifier: contiguous seqs, leaf hashes, and the roots at the checkpoints' sizes.

/** The tree rebuilt from the served entries: its roots at the sizes asked for, and what stopped or contradicted it. */
export interface TreeRebuild {
  leafCount: number;
  rootsAtSize: Map<number, Buffer>;
  rootAtEnd: Buffer;
  firstLeafHashMismatch?: number;
  /** True when an entry made it impossible to continue (gap, reordering, unreadable entry). */
  stoppedEarly: boolean;
  problems: string[];
  badSeqs: number[];
}

export async function rebuildTree(entryPages: EntryPages, sizesOfInterest: readonly number[]): Promise<TreeRebuild> {
  const tree = new CompactMerkleTree();
  const wanted = new Set(sizesOfInterest);
  const rootsAtSize = new Map<number, Buffer>();
  if (wanted.has(0)) rootsAtSize.set(0, emptyTreeHash());
  const problems: string[] = [];
  const badSeqs: number[] = [];
  let firstLeafHashMismatch: number | undefined;
  let leafHashMismatches = 0;
  let stoppedEarly = false;

  pages: for await (const page of entryPages) {
    for (const item of page) {
      const expectedSeq = tree.size;
      if (typeof item !== 'object' || item === null || item.seq !== expectedSeq) {
        const served = typeof item === 'object' && item !== null ? JSON.stringify(item.seq) : 'a non-object';
        problems.push(
          `expected seq ${expectedSeq} next but the log served ${served}: an entry is missing or out of order`,
        );
        badSeqs.push(expectedSeq);
        stoppedEarly = true;
        break pages;
      }
      let hash: Buffer;
      try {
        hash = typeof item.entryText === 'string' ? leafHashOfUtf8(item.entryText) : auditEntryLeafHash(item.entry);
      } catch (error) {
        problems.push(`entry seq ${expectedSeq} cannot be hashed: ${(error as Error).message}`);
        badSeqs.push(expectedSeq);
        stoppedEarly = true;
        break pages;
      }
      if (item.leafHash !== undefined && !sameHex(item.leafHash, hash)) {
        leafHashMismatches += 1;
        if (firstLeafHashMismatch === undefined) {
          firstLeafHashMismatch = expectedSeq;
          badSeqs.push(expectedSeq);
        }
      }
      tree.append(hash);
      if (wanted.has(tree.size)) rootsAtSize.set(tree.size, tree.root());
    }
  }

  if (firstLeafHashMismatch !== undefined) {
    problems.push(
      `${leafHashMismatches} ${leafHashMismatches === 1 ? 'entry does' : 'entries do'} not match the leaf hash ` +
        `served with ${leafHashMismatches === 1 ? 'it' : 'them'}, the first at seq ${firstLeafHashMismatch}`,
    );
  }
  return {
    leafCount: tree.size,
    rootsAtSize,
    rootAtEnd: tree.root(),
    firstLeafHashMismatch,
    stoppedEarly,
    problems,
    badSeqs,
  };
}

function sameHex(servedHex: unknown, hash: Buffer): boolean {
  if (typeof servedHex !== 'string') return false;
  const hex = hashToHex(hash);
  return servedHex === hex || servedHex.toLowerCase() === hex;
}
