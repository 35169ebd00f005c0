import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { AppName, ROOT } from './apps';

/** The script that makes compose's HTTPS CA and service certificates (documented in docker/README.md). */
export const MAKE_HTTPS_CERTS = path.join(ROOT, 'docker', 'https', 'make-certs.sh');

export interface HttpsCertificates {
  /** The CA's certificate (PEM): what a client trusts. */
  ca: string;
  /** Each service's HTTPS_CERT_FILE and HTTPS_KEY_FILE. */
  service(app: AppName): { HTTPS_CERT_FILE: string; HTTPS_KEY_FILE: string };
}

/**
 * Runs docker/https/make-certs.sh into `dir`, so that the tests use the very certificates compose is documented to
 * use: a fresh CA, and for each service a certificate for its name, localhost and 127.0.0.1.
 */
export function makeHttpsCertificates(dir: string): HttpsCertificates {
  const result = spawnSync('bash', [MAKE_HTTPS_CERTS, '--out', dir, '--days', '2'], { encoding: 'utf8' });
  if (result.error) throw new Error(`bash is needed to run ${MAKE_HTTPS_CERTS}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${MAKE_HTTPS_CERTS} failed:\n${result.stderr}`);
  return {
    ca: path.join(dir, 'https-ca.pem'),
    service: (app) => ({
      HTTPS_CERT_FILE: path.join(dir, `${app}-https.pem`),
      HTTPS_KEY_FILE: path.join(dir, `${app}-https.key`),
    }),
  };
}
