import { createPublicKey, KeyObject, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Checkpoint,
  exportPublicKeyPem,
  generateCheckpointKeyPair,
  keyIdFor,
  loadEd25519PrivateKey,
  signCheckpoint,
  verifyCheckpointSignature,
} from '@hub/merkle';
import { ConfigError } from '@hub/platform/config';
import type { AuditConfig } from '../audit.config';

/** Where a local run (npm start / npm test) keeps its generated key: beside the other local state, outside the database. */
export const LOCAL_SIGNING_KEY_FILE = path.join('.hub', 'audit-signing-key.pem');

/**
 * The log's Ed25519 checkpoint key. It signs every tree head the service appends (its seal on what it wrote) and
 * every checkpoint it issues. It comes from the environment or a file, never from the database, so that nobody
 * who can only write to PostgreSQL can produce a valid signature.
 */
export class CheckpointKey {
  readonly publicKey: KeyObject;
  readonly keyId: string;
  readonly publicKeyPem: string;

  constructor(
    private readonly privateKey: KeyObject,
    /** Where the key came from, for the boot log (never the key itself). */
    readonly source: string,
  ) {
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdFor(this.publicKey);
    this.publicKeyPem = exportPublicKeyPem(this.publicKey);
  }

  sign(treeSize: number, root: Buffer, at: Date = new Date()): Checkpoint {
    return signCheckpoint(this.privateKey, this.keyId, treeSize, root, at);
  }

  /** True only for a checkpoint this key signed. */
  signed(checkpoint: Checkpoint): boolean {
    return verifyCheckpointSignature(checkpoint, this.publicKey);
  }
}

export interface CheckpointKeyEnvironment {
  /** Relative key paths and the local default resolve against this directory. */
  cwd?: string;
  /** Under NODE_ENV=production a missing key is an error, never silently generated. */
  nodeEnv?: string;
}

/**
 * AUDIT_SIGNING_KEY (PEM text) or AUDIT_SIGNING_KEY_FILE (path); with neither, outside production, a key generated
 * once at .hub/audit-signing-key.pem. Fails at boot naming the variable to fix.
 */
export function loadCheckpointKey(
  config: Pick<AuditConfig, 'AUDIT_SIGNING_KEY' | 'AUDIT_SIGNING_KEY_FILE'>,
  { cwd = process.cwd(), nodeEnv = process.env.NODE_ENV }: CheckpointKeyEnvironment = {},
): CheckpointKey {
  const pemText = config.AUDIT_SIGNING_KEY.trim();
  const file = config.AUDIT_SIGNING_KEY_FILE.trim();
  if (pemText && file) {
    throw new ConfigError(
      'Invalid configuration:\n  AUDIT_SIGNING_KEY and AUDIT_SIGNING_KEY_FILE are both set: set only one',
    );
  }
  if (pemText) {
    return new CheckpointKey(
      parseKey(pemText.replace(/\\n/g, '\n'), 'AUDIT_SIGNING_KEY', 'the value'),
      'AUDIT_SIGNING_KEY',
    );
  }
  if (file) {
    const keyPath = path.resolve(cwd, file);
    return new CheckpointKey(
      parseKey(readKeyFile(keyPath, 'AUDIT_SIGNING_KEY_FILE'), 'AUDIT_SIGNING_KEY_FILE', keyPath),
      keyPath,
    );
  }
  if (nodeEnv === 'production') {
    throw new ConfigError(
      'Invalid configuration:\n  AUDIT_SIGNING_KEY_FILE (or AUDIT_SIGNING_KEY) is required in production: ' +
        'the checkpoint signing key is never generated or kept by the service itself there',
    );
  }
  const localPath = path.resolve(cwd, LOCAL_SIGNING_KEY_FILE);
  return new CheckpointKey(
    parseKey(createLocalKeyOnce(localPath), 'the generated local key', localPath),
    `${localPath} (local key)`,
  );
}

function parseKey(pem: string, variable: string, where: string): KeyObject {
  try {
    return loadEd25519PrivateKey(pem);
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration:\n  ${variable}: ${where} is not an Ed25519 private key in PEM: ${(error as Error).message}`,
    );
  }
}

function readKeyFile(keyPath: string, variable: string): string {
  try {
    return fs.readFileSync(keyPath, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration:\n  ${variable}="${keyPath}": cannot read the key file: ${(error as Error).message}`,
    );
  }
}

/**
 * Generates the local key the first time and reuses it afterwards. Several processes may start at once (the
 * dev hub, a test run, `migrate`), so the file appears atomically: written under a private name, then linked into
 * place, which fails if someone else got there first, in which case their key wins.
 */
function createLocalKeyOnce(keyPath: string): string {
  const existing = readIfExists(keyPath);
  if (existing !== null) return existing;
  fs.mkdirSync(path.dirname(keyPath), { recursive: true });
  const pem = generateCheckpointKeyPair().privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const temporary = `${keyPath}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  fs.writeFileSync(temporary, pem, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(temporary, keyPath);
    return pem;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(keyPath, 'utf8');
    throw error;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

function readIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
