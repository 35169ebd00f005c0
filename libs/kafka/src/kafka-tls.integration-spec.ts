import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { localKafkaTls, testEnvironment, testKafkaConnection } from '@hub/testing';

const env = testEnvironment();
const [host, port] = env.brokers[0].split(':');

function adminOf(options: Partial<ReturnType<typeof testKafkaConnection>>) {
  return new Kafka({
    clientId: `tls-it-${Math.random().toString(16).slice(2, 8)}`,
    ...testKafkaConnection(),
    ...options,
    connectionTimeout: 3000,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
}

/** The certificate chain the broker presents, as Node's TLS client sees it (no verification: we inspect it). */
function brokerCertificate(): Promise<tls.DetailedPeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port: Number(port), rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate(true));
      socket.end();
    });
    socket.once('error', reject);
  });
}

/** A CA of our own, the same shape as the hub's but not it: a client that trusts only this must not get through. */
function strangerCa(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-stranger-ca-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'ca.key'), '-out',
      path.join(dir, 'ca.pem'), '-days', '1', '-subj', '/CN=Alert Exchange Hub local Kafka CA',
    ], { stdio: 'ignore' }); // prettier-ignore
    return fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('Kafka speaks TLS (SASL_SSL on the real broker)', () => {
  it('presents a certificate for 127.0.0.1 signed by the local CA', async () => {
    const ca = new X509Certificate(localKafkaTls().ca);
    const presented = await brokerCertificate();
    const leaf = new X509Certificate(presented.raw);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.ca).toBe(false);
  });

  it('lets a client that trusts the CA in: it verifies the chain and the name 127.0.0.1', async () => {
    const admin = adminOf({});
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toContain(env.brokers[0]);
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses a client that does not trust the CA (the TLS handshake fails, SASL is never reached)', async () => {
    // Node's default trust (the public roots): the broker's certificate is from a CA nobody public knows.
    const systemRoots = adminOf({ ssl: true });
    await expect(systemRoots.connect()).rejects.toThrow(/self[- ]signed|unable to (get|verify)|certificate/i);
    await systemRoots.disconnect();
    // A CA with the same name but another key.
    const stranger = adminOf({ ssl: { ca: [strangerCa()], rejectUnauthorized: true } });
    await expect(stranger.connect()).rejects.toThrow(/self[- ]signed|unable to (get|verify)|certificate|signature/i);
    await stranger.disconnect();
  });

  it('refuses a plaintext client: no SASL_PLAINTEXT listener is left', async () => {
    const plaintext = adminOf({ ssl: false });
    await expect(plaintext.connect()).rejects.toThrow();
    await plaintext.disconnect();
  });

  it('refuses the right CA when the broker is reached under a name its certificate does not carry', async () => {
    // What a client sees if someone with *a* certificate from the CA, but for another host, answered: the chain
    // verifies, the name check fails (Node checks servername, else the host dialled, against subjectAltName).
    const error = await new Promise<Error>((resolve) => {
      const socket = tls.connect(
        { host, port: Number(port), ca: [localKafkaTls().ca], servername: 'kafka.example.org' },
        () => {
          socket.end();
          resolve(new Error('connected'));
        },
      );
      socket.once('error', resolve);
    });
    expect(error.message).toMatch(/Hostname\/IP does not match certificate's altnames/);
  });
});
