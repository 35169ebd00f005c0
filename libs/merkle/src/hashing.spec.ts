import { createHash } from 'node:crypto';
import {
  emptyTreeHash,
  hashFromHex,
  hashToHex,
  largestPowerOfTwoLessThan,
  leafHash,
  leafHashOfUtf8,
  nodeHash,
  rootFromLeafHashes,
} from './hashing';
import { MerkleError } from './merkle-error';
import { appendLeaves, InMemoryMerkleNodeStore } from './node-store';
import { consistencyProof, inclusionProof, rootAt } from './proofs';
import { verifyConsistency, verifyInclusion } from './proof-verification';

/*
 * Known answers from the Certificate Transparency reference implementation's merkle_tree_test
 * (the same vectors ship with transparency-dev/merkle and Trillian).
 */
const CT_LEAF_INPUTS = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];

const CT_ROOTS_BY_SIZE: Record<number, string> = {
  0: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  1: '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  2: 'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  3: 'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  4: 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  5: '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  6: '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  7: 'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  8: '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
};

/** The CT vectors number leaves from 1; these are 0-based. */
const CT_INCLUSION_PROOFS: Array<{ leafIndex: number; treeSize: number; proof: string[] }> = [
  {
    leafIndex: 0,
    treeSize: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leafIndex: 5,
    treeSize: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { leafIndex: 2, treeSize: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    leafIndex: 1,
    treeSize: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  { leafIndex: 0, treeSize: 1, proof: [] },
];

const CT_CONSISTENCY_PROOFS: Array<{ m: number; n: number; proof: string[] }> = [
  { m: 1, n: 1, proof: [] },
  {
    m: 1,
    n: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    m: 6,
    n: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    m: 2,
    n: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const ctLeafHashes = CT_LEAF_INPUTS.map((hex) => leafHash(Buffer.from(hex, 'hex')));
const hexes = (hashes: Buffer[]) => hashes.map(hashToHex);

async function ctStore(): Promise<InMemoryMerkleNodeStore> {
  const store = new InMemoryMerkleNodeStore();
  store.put(await appendLeaves(store, 0, ctLeafHashes));
  return store;
}

describe('RFC 6962 hashing', () => {
  it('hashes a leaf as SHA-256(0x00 || entry) and a node as SHA-256(0x01 || left || right)', () => {
    const entry = Buffer.from('audit entry');
    expect(leafHash(entry)).toEqual(
      createHash('sha256')
        .update(Buffer.concat([Buffer.from([0]), entry]))
        .digest(),
    );
    const left = Buffer.alloc(32, 0xaa);
    const right = Buffer.alloc(32, 0xbb);
    expect(nodeHash(left, right)).toEqual(
      createHash('sha256')
        .update(Buffer.concat([Buffer.from([1]), left, right]))
        .digest(),
    );
    expect(nodeHash(left, right)).not.toEqual(nodeHash(right, left));
  });

  it('gives the same leaf hash for a string as for its UTF-8 bytes', () => {
    const text = '{"headline":"Грузовик с героином — Хорог"}';
    expect(leafHashOfUtf8(text)).toEqual(leafHash(Buffer.from(text, 'utf8')));
  });

  it('separates leaves from nodes, so a node cannot pose as a leaf', () => {
    const left = leafHash(Buffer.from('a'));
    const right = leafHash(Buffer.from('b'));
    expect(leafHash(Buffer.concat([left, right]))).not.toEqual(nodeHash(left, right));
  });

  it('reproduces the CT reference leaf hashes used inside the proofs', () => {
    expect(hashToHex(ctLeafHashes[0])).toBe(CT_ROOTS_BY_SIZE[1]);
    expect(hashToHex(ctLeafHashes[4])).toBe('bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b');
    expect(hashToHex(ctLeafHashes[1])).toBe('96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7');
  });

  it.each(Object.entries(CT_ROOTS_BY_SIZE))('reproduces the CT reference root for size %s', async (size, root) => {
    const treeSize = Number(size);
    expect(hashToHex(rootFromLeafHashes(ctLeafHashes.slice(0, treeSize)))).toBe(root);
    expect(hashToHex(await rootAt(await ctStore(), treeSize))).toBe(root);
  });

  it('uses SHA-256 of the empty string as the empty tree hash', () => {
    expect(hashToHex(emptyTreeHash())).toBe(CT_ROOTS_BY_SIZE[0]);
  });

  it.each(CT_INCLUSION_PROOFS)(
    'generates and verifies the CT inclusion proof for leaf $leafIndex of $treeSize',
    async ({ leafIndex, treeSize, proof }) => {
      const store = await ctStore();
      expect(hexes(await inclusionProof(store, leafIndex, treeSize))).toEqual(proof);
      const root = hashFromHex(CT_ROOTS_BY_SIZE[treeSize]);
      expect(verifyInclusion(ctLeafHashes[leafIndex], leafIndex, treeSize, proof.map(hashFromHex), root)).toBe(true);
    },
  );

  it.each(CT_CONSISTENCY_PROOFS)(
    'generates and verifies the CT consistency proof from $m to $n',
    async ({ m, n, proof }) => {
      const store = await ctStore();
      expect(hexes(await consistencyProof(store, m, n))).toEqual(proof);
      const rootM = hashFromHex(CT_ROOTS_BY_SIZE[m]);
      const rootN = hashFromHex(CT_ROOTS_BY_SIZE[n]);
      expect(verifyConsistency(m, n, rootM, rootN, proof.map(hashFromHex))).toBe(true);
    },
  );

  it('splits at the largest power of two strictly below n', () => {
    expect([2, 3, 4, 5, 8, 9, 2 ** 40 + 1].map(largestPowerOfTwoLessThan)).toEqual([1, 2, 2, 4, 4, 8, 2 ** 40]);
    expect(() => largestPowerOfTwoLessThan(1)).toThrow(MerkleError);
  });

  it('parses only 32-byte hex hashes', () => {
    expect(hashFromHex(CT_ROOTS_BY_SIZE[8].toUpperCase())).toEqual(hashFromHex(CT_ROOTS_BY_SIZE[8]));
    for (const bad of ['', 'zz'.repeat(32), CT_ROOTS_BY_SIZE[8].slice(2), `${CT_ROOTS_BY_SIZE[8]}00`]) {
      expect(() => hashFromHex(bad)).toThrow(MerkleError);
    }
  });
});
