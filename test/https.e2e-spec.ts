import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { makeHttpsCertificates } from '@hub/testing/local-hub/https-certificates';
import { ServiceHandle, startExtraService } from '@hub/testing';

/**
 * HTTPS from Node's own TLS (issue 24, finding 5): an audit-log process given HTTPS_CERT_FILE and HTTPS_KEY_FILE,
 * made by docker/https/make-certs.sh as compose's are, beside the suite's plain-HTTP one on a port of its own.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-https-e2e-'));
const certificates = makeHttpsCertificates(path.join(dir, 'hub'));
const stranger = makeHttpsCertificates(path.join(dir, 'stranger')); // another CA, same names
const port = Number(process.env.AUDIT_PORT) + 40;
const ca = fs.readFileSync(certificates.ca, 'utf8');

function get(url: string, options: https.RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = https.get(url, { ...options, timeout: 10000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.once('timeout', () => request.destroy(new Error('timeout')));
    request.once('error', reject);
  });
}

describe('a service with HTTPS_CERT_FILE and HTTPS_KEY_FILE', () => {
  let service: ServiceHandle;

  beforeAll(async () => {
    service = await startExtraService(
      'audit-log',
      'https',
      { AUDIT_PORT: String(port), ...certificates.service('audit-log') },
      { ca },
    );
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers over HTTPS a client that trusts its CA, and says so in its log', async () => {
    expect(service.url).toBe(`https://127.0.0.1:${port}`);
    const live = await get(`https://127.0.0.1:${port}/health/live`, { ca });
    expect(live.status).toBe(200);
    // The certificate names localhost too (a client that checks the name, not only the chain).
    expect((await get(`https://localhost:${port}/health/live`, { ca })).status).toBe(200);
    expect(fs.readFileSync(service.logFile, 'utf8')).toContain(`audit-log listening on https://127.0.0.1:${port}`);
  });

  it('speaks no plain HTTP on that port', async () => {
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  });

  it('is refused by a client that does not trust its CA', async () => {
    await expect(
      get(`https://127.0.0.1:${port}/health/live`, { ca: fs.readFileSync(stranger.ca, 'utf8') }),
    ).rejects.toMatchObject({
      code: expect.stringMatching(
        /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/,
      ),
    });
    // Nor by one with the default trust (the public CAs), such as fetch().
    await expect(fetch(`https://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  });

  it("refuses to start with a key that is not its certificate's, naming the variable", async () => {
    const mismatched = {
      ...certificates.service('audit-log'),
      HTTPS_KEY_FILE: certificates.service('agency-gateway').HTTPS_KEY_FILE,
    };
    await expect(
      startExtraService('audit-log', 'https-bad-key', { AUDIT_PORT: String(port + 1), ...mismatched }, { ca }),
    ).rejects.toThrow(/HTTPS_KEY_FILE: .*not the certificate's/);
  });
});
