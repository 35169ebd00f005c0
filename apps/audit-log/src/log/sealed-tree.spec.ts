import {
  appendLeaves,
  emptyTreeHash,
  generateCheckpointKeyPair,
  hashToHex,
  InMemoryMerkleNodeStore,
  leafHash,
  rootFromLeafHashes,
} from '@hub/merkle';
import { CheckpointKey } from '../signing/checkpoint-key';
import { LogIntegrityError, SealedTreeReader } from './sealed-tree';
import { SqlRunner } from './postgres-node-store';

const key = new CheckpointKey(generateCheckpointKeyPair().privateKey, 'test');
const otherKey = new CheckpointKey(generateCheckpointKeyPair().privateKey, 'other');
const leaves = Array.from({ length: 5 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));

/** Answers the two queries SealedTreeReader.newest makes: the newest seal, and the seq after the last entry. */
function database(seal: ReturnType<CheckpointKey['sign']> | null, nextSeq: number): SqlRunner {
  return {
    query: async (sql: string): Promise<any[]> => {
      if (sql.includes('audit.tree_heads')) return seal ? [{ ...seal, treeSize: String(seal.treeSize) }] : [];
      if (sql.includes('audit.entries')) return [{ next: String(nextSeq) }];
      throw new Error(`unexpected query ${sql}`);
    },
  };
}

async function integrityProblem(promise: Promise<unknown>): Promise<LogIntegrityError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LogIntegrityError) return error;
    throw error;
  }
  throw new Error('expected a LogIntegrityError');
}

describe('SealedTreeReader', () => {
  const reader = new SealedTreeReader(key);
  const root = rootFromLeafHashes(leaves);
  const seal = key.sign(5, root);

  it('reads an empty log as the empty tree', async () => {
    expect(await reader.newest(database(null, 0))).toEqual({ treeSize: 0, root: emptyTreeHash() });
  });

  it('trusts the newest seal when it is its own and the log ends where the seal says', async () => {
    expect(await reader.newest(database(seal, 5))).toEqual({ treeSize: 5, root });
  });

  it.each([
    ['entries without any seal', database(null, 3), /holds entries but no tree head sealed/, 0],
    [
      'entries appended behind its back',
      database(seal, 6),
      /entries from seq 5 on were not appended by this service/,
      5,
    ],
    ['entries cut off the end', database(seal, 4), /covers 5 entries but the log ends at seq 3/, 4],
    [
      'a seal whose root was changed',
      database({ ...seal, rootHash: hashToHex(emptyTreeHash()) }, 5),
      /is not signed by this service's key/,
      undefined,
    ],
  ])('refuses %s', async (_case, db, message, seq) => {
    const problem = await integrityProblem(reader.newest(db));
    expect(problem.message).toMatch(message);
    expect(problem.seq).toBe(seq);
  });

  it('says so when the seal names another key (was the key replaced?)', async () => {
    const problem = await integrityProblem(reader.newest(database(otherKey.sign(5, root), 5)));
    expect(problem.message).toMatch(new RegExp(`names key ${otherKey.keyId}; was the signing key replaced`));
  });

  it('checks that the stored nodes still fold into the sealed root', async () => {
    const store = new InMemoryMerkleNodeStore();
    store.put(await appendLeaves(store, 0, leaves));
    await expect(reader.assertNodesMatch(store, { treeSize: 5, root })).resolves.toBeUndefined();
    store.put([{ level: 0, index: 4, hash: leafHash(Buffer.from('forged')) }]);
    await expect(reader.assertNodesMatch(store, { treeSize: 5, root })).rejects.toThrow(
      /stored Merkle nodes give root .* but this service sealed/,
    );
    await expect(reader.assertNodesMatch(new InMemoryMerkleNodeStore(), { treeSize: 5, root })).rejects.toThrow(
      LogIntegrityError,
    );
  });
});
