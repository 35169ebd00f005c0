import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateCheckpointKeyPair, keyIdFor, loadEd25519PublicKey, verifyCheckpointSignature } from '@hub/merkle';
import { ConfigError } from '@hub/platform/config';
import { loadCheckpointKey, LOCAL_SIGNING_KEY_FILE } from './checkpoint-key';

const none = { AUDIT_SIGNING_KEY: '', AUDIT_SIGNING_KEY_FILE: '' };

function pkcs8Pem(): string {
  return generateCheckpointKeyPair().privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

describe('loadCheckpointKey', () => {
  let directory: string;

  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-key-'));
  });

  afterEach(() => {
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('takes the key from AUDIT_SIGNING_KEY, also written on one line with \\n escapes', () => {
    const pem = pkcs8Pem();
    const fromText = loadCheckpointKey({ ...none, AUDIT_SIGNING_KEY: pem }, { cwd: directory });
    const fromOneLine = loadCheckpointKey(
      { ...none, AUDIT_SIGNING_KEY: pem.replace(/\n/g, '\\n') },
      { cwd: directory },
    );
    expect(fromOneLine.keyId).toBe(fromText.keyId);
    expect(fromText.source).toBe('AUDIT_SIGNING_KEY');
    expect(fs.existsSync(path.join(directory, LOCAL_SIGNING_KEY_FILE))).toBe(false);
  });

  it('takes the key from AUDIT_SIGNING_KEY_FILE, relative to the working directory', () => {
    fs.writeFileSync(path.join(directory, 'secret.pem'), pkcs8Pem());
    const key = loadCheckpointKey(
      { ...none, AUDIT_SIGNING_KEY_FILE: 'secret.pem' },
      { cwd: directory, nodeEnv: 'production' },
    );
    expect(key.source).toBe(path.join(directory, 'secret.pem'));
  });

  it('signs checkpoints that verify with the published public key and key id', () => {
    const key = loadCheckpointKey({ ...none, AUDIT_SIGNING_KEY: pkcs8Pem() }, { cwd: directory });
    const checkpoint = key.sign(3, Buffer.alloc(32, 7), new Date('2026-05-01T00:00:00Z'));
    const published = loadEd25519PublicKey(key.publicKeyPem);
    expect(keyIdFor(published)).toBe(key.keyId);
    expect(verifyCheckpointSignature(checkpoint, published)).toBe(true);
    expect(key.signed(checkpoint)).toBe(true);
    expect(key.signed({ ...checkpoint, treeSize: 4 })).toBe(false);
  });

  it('generates a local key once, private to its owner, and reuses it', () => {
    const first = loadCheckpointKey(none, { cwd: directory, nodeEnv: 'development' });
    const file = path.join(directory, LOCAL_SIGNING_KEY_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const second = loadCheckpointKey(none, { cwd: directory, nodeEnv: 'development' });
    expect(second.keyId).toBe(first.keyId);
    expect(fs.readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  });

  it.each([
    [{ AUDIT_SIGNING_KEY: 'x', AUDIT_SIGNING_KEY_FILE: 'y' }, undefined, /both set/],
    [
      { ...none, AUDIT_SIGNING_KEY: 'not a key' },
      undefined,
      /AUDIT_SIGNING_KEY: the value is not an Ed25519 private key/,
    ],
    [
      { ...none, AUDIT_SIGNING_KEY_FILE: 'missing.pem' },
      undefined,
      /AUDIT_SIGNING_KEY_FILE=".*missing.pem": cannot read/,
    ],
    [none, 'production', /AUDIT_SIGNING_KEY_FILE \(or AUDIT_SIGNING_KEY\) is required in production/],
  ])('fails at boot naming the variable: %j (NODE_ENV %s)', (config, nodeEnv, message) => {
    expect(() => loadCheckpointKey(config, { cwd: directory, nodeEnv })).toThrow(ConfigError);
    expect(() => loadCheckpointKey(config, { cwd: directory, nodeEnv })).toThrow(message);
  });

  it('refuses a key of another type', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => loadCheckpointKey({ ...none, AUDIT_SIGNING_KEY: pem }, { cwd: directory })).toThrow(
      /not an Ed25519 private key/,
    );
  });
});
