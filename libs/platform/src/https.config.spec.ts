import fs from 'node:fs';
import path from 'node:path';
import { configFiles, configRefusal as refusal, ExampleAppConfig } from '@hub/testing/config-fixture';
import { makeHttpsCertificates } from '@hub/testing/local-hub/https-certificates';
import { loadConfig, readCertificateFile } from './config';

const { dir, file, KAFKA_SSL_CA } = configFiles('https-config-');
// The script compose's certificates come from (docker/https/make-certs.sh): real certificates and keys.
const certificates = makeHttpsCertificates(path.join(dir, 'certs'));
const audit = certificates.service('audit-log');
const gateway = certificates.service('agency-gateway');
const base = { KAFKA_SSL_CA };

/** Lines of a PEM body: none of them may show up in an error message. */
const keyMaterial = (pemFile: string) =>
  fs
    .readFileSync(pemFile, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('-----'));

describe('HTTPS settings (HTTPS_CERT_FILE, HTTPS_KEY_FILE)', () => {
  it('serves plain HTTP when neither is set', () => {
    expect(loadConfig(ExampleAppConfig, base).https).toBeUndefined();
  });

  it('reads the certificate and its key when both are set', () => {
    const config = loadConfig(ExampleAppConfig, { ...base, ...audit });
    expect(config.https).toEqual({
      cert: fs.readFileSync(audit.HTTPS_CERT_FILE, 'utf8'),
      key: fs.readFileSync(audit.HTTPS_KEY_FILE, 'utf8'),
    });
  });

  it('takes the certificate only with its key, and the key only with its certificate', () => {
    expect(refusal({ ...base, HTTPS_CERT_FILE: audit.HTTPS_CERT_FILE })).toMatch(
      /HTTPS_KEY_FILE: HTTPS_KEY_FILE is required with HTTPS_CERT_FILE/,
    );
    expect(refusal({ ...base, HTTPS_KEY_FILE: audit.HTTPS_KEY_FILE })).toMatch(
      /HTTPS_CERT_FILE: HTTPS_CERT_FILE is required with HTTPS_KEY_FILE/,
    );
  });

  it('refuses files that cannot be read, naming the variable', () => {
    const missing = path.join(dir, 'missing.pem');
    expect(refusal({ ...base, HTTPS_CERT_FILE: missing, HTTPS_KEY_FILE: audit.HTTPS_KEY_FILE })).toMatch(
      /HTTPS_CERT_FILE: .*the file cannot be read \(ENOENT\)/,
    );
    expect(refusal({ ...base, HTTPS_CERT_FILE: audit.HTTPS_CERT_FILE, HTTPS_KEY_FILE: missing })).toMatch(
      /HTTPS_KEY_FILE: .*the file cannot be read \(ENOENT\)/,
    );
  });

  it('refuses a file that holds no certificate, or no key, or a broken one', () => {
    expect(refusal({ ...base, HTTPS_CERT_FILE: audit.HTTPS_KEY_FILE, HTTPS_KEY_FILE: audit.HTTPS_KEY_FILE })).toMatch(
      /HTTPS_CERT_FILE: .*the file holds no PEM "CERTIFICATE"/,
    );
    expect(refusal({ ...base, HTTPS_CERT_FILE: audit.HTTPS_CERT_FILE, HTTPS_KEY_FILE: audit.HTTPS_CERT_FILE })).toMatch(
      /HTTPS_KEY_FILE: .*the file holds no PEM "PRIVATE KEY"/,
    );
    const brokenCert = KAFKA_SSL_CA; // a CERTIFICATE block that is no X.509 certificate
    expect(refusal({ ...base, HTTPS_CERT_FILE: brokenCert, HTTPS_KEY_FILE: audit.HTTPS_KEY_FILE })).toMatch(
      /HTTPS_CERT_FILE: .*the file holds no valid X.509 certificate/,
    );
    const brokenKey = file('broken.key', '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ5dGVz\n-----END PRIVATE KEY-----\n');
    const message = refusal({ ...base, HTTPS_CERT_FILE: audit.HTTPS_CERT_FILE, HTTPS_KEY_FILE: brokenKey });
    expect(message).toMatch(/HTTPS_KEY_FILE: .*the file holds no valid private key/);
    expect(message).not.toContain('c2VjcmV0LWJ5dGVz');
  });

  it("refuses a key that is not the certificate's, without a byte of either key in the message", () => {
    const message = refusal({
      ...base,
      HTTPS_CERT_FILE: audit.HTTPS_CERT_FILE,
      HTTPS_KEY_FILE: gateway.HTTPS_KEY_FILE,
    });
    expect(message).toMatch(/HTTPS_KEY_FILE: .*unencrypted private key of HTTPS_CERT_FILE; .*not the certificate's/);
    expect(message).not.toMatch(/HTTPS_CERT_FILE: /);
    for (const line of [...keyMaterial(gateway.HTTPS_KEY_FILE), ...keyMaterial(audit.HTTPS_KEY_FILE)]) {
      expect(message).not.toContain(line);
    }
  });

  it('refuses an expired certificate', () => {
    expect(readCertificateFile(audit.HTTPS_CERT_FILE)).not.toBeInstanceOf(Error);
    const later = readCertificateFile(audit.HTTPS_CERT_FILE, new Date(Date.now() + 3 * 24 * 3600 * 1000));
    expect(later).toBeInstanceOf(Error);
    expect((later as Error).message).toMatch(/^holds a certificate that expired on /);
  });
});

describe('plain HTTP under NODE_ENV=production, with HTTPS at hand', () => {
  const production = { ...base, NODE_ENV: 'production' };

  it('listens on any address when the service serves HTTPS itself', () => {
    expect(loadConfig(ExampleAppConfig, { ...production, HOST: '0.0.0.0', ...audit }).HOST).toBe('0.0.0.0');
  });

  it('names HTTPS in the refusal of plain HTTP, and refuses half an HTTPS setting', () => {
    expect(refusal({ ...production, HOST: '0.0.0.0' })).toMatch(
      /HOST: .*serve HTTPS \(set HTTPS_CERT_FILE and HTTPS_KEY_FILE\).*HTTP_BEHIND_TLS_PROXY=true/,
    );
    const half = refusal({ ...production, HOST: '0.0.0.0', HTTPS_CERT_FILE: audit.HTTPS_CERT_FILE });
    expect(half).toMatch(/HOST: HOST is not a loopback address/);
    expect(half).toMatch(/HTTPS_KEY_FILE: /);
  });
});
