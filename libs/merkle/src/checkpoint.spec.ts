import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Checkpoint,
  checkpointSigningPayload,
  exportPublicKeyPem,
  generateCheckpointKeyPair,
  keyIdFor,
  loadEd25519PrivateKey,
  loadEd25519PrivateKeyFile,
  loadEd25519PublicKey,
  parseCheckpoint,
  signCheckpoint,
  verifyCheckpointSignature,
} from './checkpoint';
import { leafHash } from './hashing';
import { MerkleErrorCode } from './merkle-error';

const { privateKey, publicKey } = generateCheckpointKeyPair();
const keyId = keyIdFor(publicKey);
const root = leafHash(Buffer.from('some root'));
const timestamp = '2025-05-01T12:00:00.000Z';

function signed(): Checkpoint {
  return signCheckpoint(privateKey, keyId, 42, root, timestamp);
}

describe('signed checkpoints', () => {
  it('signs the documented canonical byte string', () => {
    const checkpoint = signed();
    expect(checkpoint).toMatchObject({ treeSize: 42, rootHash: root.toString('hex'), timestamp, keyId });
    expect(checkpointSigningPayload(checkpoint).toString('utf8')).toBe(
      `alert-exchange-hub/checkpoint/v1\n42\n${root.toString('hex')}\n${timestamp}\n`,
    );
    expect(Buffer.from(checkpoint.signature, 'base64')).toHaveLength(64);
  });

  it('verifies its own signature, and survives a JSON round trip', () => {
    const checkpoint = signed();
    expect(verifyCheckpointSignature(checkpoint, publicKey)).toBe(true);
    expect(verifyCheckpointSignature(JSON.parse(JSON.stringify(checkpoint)), publicKey)).toBe(true);
    expect(verifyCheckpointSignature(checkpoint, privateKey)).toBe(true);
  });

  it.each<[string, Partial<Checkpoint>]>([
    ['a larger tree size', { treeSize: 43 }],
    ['another root', { rootHash: leafHash(Buffer.from('other')).toString('hex') }],
    ['another timestamp', { timestamp: '2025-05-01T12:00:01.000Z' }],
    ['another signature', { signature: Buffer.alloc(64, 7).toString('base64') }],
    ['an upper-case root', { rootHash: root.toString('hex').toUpperCase() }],
    ['a signature that is not canonical base64', { signature: 'not base64!' }],
    ['a negative tree size', { treeSize: -1 }],
    ['a timestamp with an injected line', { timestamp: `${timestamp}\n99` }],
  ])('rejects a checkpoint with %s', (_, change) => {
    expect(verifyCheckpointSignature({ ...signed(), ...change }, publicKey)).toBe(false);
  });

  it('rejects a checkpoint signed by another key, even if it claims the trusted key id', () => {
    const other = generateCheckpointKeyPair();
    const forged = signCheckpoint(other.privateKey, keyId, 42, root, timestamp);
    expect(verifyCheckpointSignature(forged, publicKey)).toBe(false);
    const honestlyLabelled = signCheckpoint(other.privateKey, keyIdFor(other.publicKey), 42, root, timestamp);
    expect(verifyCheckpointSignature(honestlyLabelled, other.publicKey)).toBe(true);
    expect(verifyCheckpointSignature(honestlyLabelled, publicKey)).toBe(false);
  });

  it('rejects a valid signature under a key id that does not name the key', () => {
    expect(verifyCheckpointSignature({ ...signed(), keyId: '0123456789abcdef' }, publicKey)).toBe(false);
  });

  it('returns false rather than throwing for garbage', () => {
    for (const garbage of [null, 'checkpoint', {}, { ...signed(), treeSize: '42' }]) {
      expect(verifyCheckpointSignature(garbage as unknown as Checkpoint, publicKey)).toBe(false);
    }
  });

  it('derives the key id from the SPKI DER of the public key, from either half', () => {
    const der = publicKey.export({ format: 'der', type: 'spki' });
    expect(keyId).toBe(createHash('sha256').update(der).digest('hex').slice(0, 16));
    expect(keyIdFor(privateKey)).toBe(keyId);
    expect(keyIdFor(generateCheckpointKeyPair().publicKey)).not.toBe(keyId);
  });

  it('accepts a Date as the timestamp and refuses non-UTC or unparseable ones', () => {
    expect(signCheckpoint(privateKey, keyId, 1, root, new Date(Date.UTC(2025, 0, 2))).timestamp).toBe(
      '2025-01-02T00:00:00.000Z',
    );
    for (const bad of ['2025-05-01 12:00:00', '2025-05-01T12:00:00+02:00', '2025-13-45T99:00:00Z']) {
      expect(() => signCheckpoint(privateKey, keyId, 1, root, bad)).toThrow(
        expect.objectContaining({ code: MerkleErrorCode.InvalidCheckpoint }),
      );
    }
  });

  it('refuses to sign a root that is not a 32-byte hash', () => {
    expect(() => signCheckpoint(privateKey, keyId, 1, Buffer.alloc(16), timestamp)).toThrow(
      expect.objectContaining({ code: MerkleErrorCode.InvalidHash }),
    );
  });

  it('loads the private key from PEM text or a file and exports the public half as PEM', () => {
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const directory = mkdtempSync(join(tmpdir(), 'merkle-key-'));
    try {
      const file = join(directory, 'checkpoint-key.pem');
      writeFileSync(file, pem);
      for (const loaded of [loadEd25519PrivateKey(pem), loadEd25519PrivateKeyFile(file)]) {
        const checkpoint = signCheckpoint(loaded, keyId, 7, root, timestamp);
        expect(verifyCheckpointSignature(checkpoint, publicKey)).toBe(true);
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
    const publicPem = exportPublicKeyPem(privateKey);
    expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(keyIdFor(loadEd25519PublicKey(publicPem))).toBe(keyId);
  });

  it('refuses keys that are not Ed25519 or not PEM', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const rsaPem = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadEd25519PrivateKey(rsaPem)).toThrow(expect.objectContaining({ code: MerkleErrorCode.InvalidKey }));
    expect(() => loadEd25519PrivateKey('not a key')).toThrow(
      expect.objectContaining({ code: MerkleErrorCode.InvalidKey }),
    );
    expect(() => loadEd25519PublicKey(exportPublicKeyPem(privateKey).replace('PUBLIC', 'PRIVATE'))).toThrow(
      expect.objectContaining({ code: MerkleErrorCode.InvalidKey }),
    );
  });

  it('parses a checkpoint from untrusted JSON, dropping extra fields and naming what is wrong', () => {
    const checkpoint = signed();
    expect(parseCheckpoint({ ...checkpoint, extra: 'ignored' })).toEqual(checkpoint);
    expect(() => parseCheckpoint({ ...checkpoint, rootHash: 'abc' })).toThrow(/rootHash/);
    expect(() => parseCheckpoint({ ...checkpoint, signature: undefined })).toThrow(/signature/);
    expect(() => parseCheckpoint([])).toThrow(expect.objectContaining({ code: MerkleErrorCode.InvalidCheckpoint }));
  });
});
