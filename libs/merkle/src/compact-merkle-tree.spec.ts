import { CompactMerkleTree } from './compact-merkle-tree';
import { emptyTreeHash, leafHash, rootFromLeafHashes } from './hashing';
import { MerkleError } from './merkle-error';

describe('CompactMerkleTree', () => {
  it('has the MTH root after every append, for every size up to 600', () => {
    const leaves = Array.from({ length: 600 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
    const tree = new CompactMerkleTree();
    expect(tree.root()).toEqual(emptyTreeHash());
    leaves.forEach((leaf, i) => {
      tree.append(leaf);
      expect(tree.size).toBe(i + 1);
      expect(tree.root()).toEqual(rootFromLeafHashes(leaves.slice(0, i + 1)));
    });
  });

  it('refuses anything that is not a 32-byte hash as a leaf', () => {
    const tree = new CompactMerkleTree();
    expect(() => tree.append(Buffer.alloc(31))).toThrow(MerkleError);
    expect(tree.size).toBe(0);
  });
});
