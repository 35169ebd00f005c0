import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { generateLocalKafkaTls } from './kafka-tls';

describe('the local Kafka CA and broker keystore', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-kafka-tls-'));
  beforeAll(() => generateLocalKafkaTls(dir));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

  it('makes a CA that signed a broker certificate for 127.0.0.1 (not itself a CA)', () => {
    const ca = new X509Certificate(read('ca.pem'));
    const broker = new X509Certificate(read('broker.pem'));
    expect(ca.ca).toBe(true);
    expect(broker.ca).toBe(false);
    expect(broker.checkIssued(ca)).toBe(true);
    expect(broker.verify(ca.publicKey)).toBe(true);
    expect(broker.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(broker.checkHost('localhost')).toBe('localhost');
    expect(broker.checkHost('kafka.example.org')).toBeUndefined();
  });

  it('writes the PEM keystore Kafka reads: unencrypted PKCS#8 key, then the certificate chain', () => {
    const keystore = read('broker-keystore.pem');
    expect(keystore.startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
    expect(keystore.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
    expect(keystore).toContain(read('broker.pem'));
    expect(fs.statSync(path.join(dir, 'broker-keystore.pem')).mode & 0o077).toBe(0);
    expect(fs.statSync(path.join(dir, 'ca.key')).mode & 0o077).toBe(0);
    expect(fs.existsSync(path.join(dir, 'broker.csr'))).toBe(false);
  });
});
