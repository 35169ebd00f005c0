import { spawnSync } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KafkaTls } from '@hub/kafka/kafka-client';
import { ROOT } from './apps';

/**
 * The TLS material of every broker the project starts (npm start, npm test, bench, chaos), made with openssl the first
 * time one is needed and kept in .hub/kafka/tls/ (never committed):
 *   ca.pem / ca.key          a local CA, valid 10 years; ca.pem is what clients trust (KAFKA_SSL_CA)
 *   broker.pem / broker.key  the brokers' certificate, signed by that CA, for IP 127.0.0.1 and DNS localhost
 *   broker-keystore.pem      key + certificate + CA: Kafka's PEM keystore (ssl.keystore.type=PEM)
 * One certificate serves every local broker and port (a certificate names hosts, not ports). Keys are unencrypted
 * PKCS#8 (Kafka reads a PEM key without a password that way) and readable by the owner only.
 */
export const LOCAL_TLS_DIR = path.join(ROOT, '.hub', 'kafka', 'tls');

export interface LocalKafkaTlsFiles {
  ca: string;
  keystore: string;
}

function openssl(args: string[], cwd: string): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.error) throw new Error(`openssl is needed to make the local Kafka CA: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
}

/** Makes the CA, the broker certificate and the keystore in `dir` (exported for its unit test). */
export function generateLocalKafkaTls(dir: string): void {
  const serial = () => `0x${randomBytes(16).toString('hex')}`;
  openssl(
    [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650',
      '-subj', '/CN=Alert Exchange Hub local Kafka CA', '-set_serial', serial(),
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ], // prettier-ignore
    dir,
  );
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=127.0.0.1'],
    dir,
  );
  fs.writeFileSync(
    path.join(dir, 'broker.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      // serverAuth for the listeners; clientAuth because a broker is also a client of the others (inter-broker).
      'extendedKeyUsage=serverAuth,clientAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '',
    ].join('\n'),
  );
  openssl(
    [
      'x509', '-req', '-in', 'broker.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', serial(),
      '-days', '825', '-sha256', '-extfile', 'broker.ext', '-out', 'broker.pem',
    ], // prettier-ignore
    dir,
  );
  const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
  fs.writeFileSync(path.join(dir, 'broker-keystore.pem'), read('broker.key') + read('broker.pem') + read('ca.pem'), {
    mode: 0o600,
  });
  for (const file of ['broker.csr', 'broker.ext']) fs.rmSync(path.join(dir, file));
  for (const file of ['ca.key', 'broker.key']) fs.chmodSync(path.join(dir, file), 0o600);
}

/**
 * The local CA and broker keystore, generated on first use. Two runs starting at once (two test slots) may both
 * generate: each writes a private folder and renames it into place, the first rename wins and the other is dropped.
 */
export function ensureLocalKafkaTls(): LocalKafkaTlsFiles {
  const files = { ca: path.join(LOCAL_TLS_DIR, 'ca.pem'), keystore: path.join(LOCAL_TLS_DIR, 'broker-keystore.pem') };
  if (fs.existsSync(files.keystore)) {
    // The broker certificate lasts 825 days: a month before it ends, both are made anew (a running broker restarts).
    const broker = new X509Certificate(fs.readFileSync(path.join(LOCAL_TLS_DIR, 'broker.pem')));
    if (Date.parse(broker.validTo) - Date.now() > 30 * 24 * 3600 * 1000) return files;
    fs.rmSync(LOCAL_TLS_DIR, { recursive: true, force: true });
  }
  fs.mkdirSync(path.dirname(LOCAL_TLS_DIR), { recursive: true });
  const scratch = fs.mkdtempSync(`${LOCAL_TLS_DIR}.new-`);
  try {
    generateLocalKafkaTls(scratch);
    // A half-made folder (a run killed mid-way) has no keystore: replace it.
    if (fs.existsSync(LOCAL_TLS_DIR) && !fs.existsSync(files.keystore)) fs.rmSync(LOCAL_TLS_DIR, { recursive: true });
    fs.renameSync(scratch, LOCAL_TLS_DIR);
    process.stdout.write(`[kafka] made a local CA and broker certificate in ${path.relative(ROOT, LOCAL_TLS_DIR)}\n`);
  } catch (error) {
    if (!fs.existsSync(files.keystore)) throw error;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return files;
}

/** SHA-256 of the local CA certificate: written into server.properties, so a broker of another CA is restarted. */
export function localCaFingerprint(): string {
  return createHash('sha256').update(fs.readFileSync(ensureLocalKafkaTls().ca)).digest('hex');
}

/**
 * The client side for tools and tests: the CA in KAFKA_SSL_CA (another cluster's), else the local one; a client
 * certificate only when KAFKA_SSL_CERT and KAFKA_SSL_KEY are set.
 */
export function localKafkaTls(env: NodeJS.ProcessEnv = process.env): KafkaTls {
  const read = (file: string) => fs.readFileSync(file, 'utf8');
  return {
    ca: read(env.KAFKA_SSL_CA || ensureLocalKafkaTls().ca),
    ...(env.KAFKA_SSL_CERT && env.KAFKA_SSL_KEY
      ? { cert: read(env.KAFKA_SSL_CERT), key: read(env.KAFKA_SSL_KEY) }
      : {}),
  };
}

/** The TLS variables every hub process of a run gets: the CA the apps must trust (KAFKA_SSL_CA). */
export function kafkaTlsEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return { KAFKA_SSL_CA: env.KAFKA_SSL_CA || ensureLocalKafkaTls().ca };
}
