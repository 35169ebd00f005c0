import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { minimalPlainAlert } from '@hub/contracts/alert/alert.fixtures';
import { readPublicKey, verifyAlertSignature } from './signing-key';

const ROOT = join(__dirname, '../../../..');
// As the README writes it: `npm run sign-alert -- …` (-s: only the script's own output on stdout).
const run = (args: string[], input?: string) =>
  spawnSync('npm', ['run', '-s', 'sign-alert', '--', ...args], { input, encoding: 'utf8', cwd: ROOT });

/** The README's client helper (Node built-ins only) and the gateway agree on what is signed. */
describe('scripts/sign-alert.ts', () => {
  it('signs a body the gateway verifies, and verifies what the gateway would deliver', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sign-alert-'));
    const keyFile = join(dir, 'key.pem');
    const { jwk } = JSON.parse(run(['keygen', keyFile]).stdout);
    const read = await readPublicKey({ jwk });
    if (!read.ok) throw new Error(read.problem.message);
    const key = {
      kid: read.kid,
      agencyId: 'TJ-DCA',
      jwk: read.jwk,
      validFrom: new Date(0),
      validUntil: null,
      revokedAt: null,
    };

    // the body leaves the optional lists out: the script signs them as [] because the hub stores them so
    const { references: _r, ...body } = minimalPlainAlert();
    const signature = run(['sign', keyFile, read.kid], JSON.stringify(body)).stdout.trim();
    const stored = { ...minimalPlainAlert(), subjects: [] };
    expect(await verifyAlertSignature(signature, stored, 'TJ-DCA', async () => key, new Date())).toEqual({
      ok: true,
      kid: read.kid,
    });

    const keysFile = join(dir, 'keys.json');
    writeFileSync(
      keysFile,
      JSON.stringify({ keys: [{ kid: read.kid, jwk: read.jwk, status: 'active', validFrom: '1970-01-01T00:00:00Z' }] }),
    );
    expect(run(['verify', keysFile], JSON.stringify({ alert: stored, signature })).status).toBe(0);
    expect(
      run(['verify', keysFile], JSON.stringify({ alert: { ...stored, headline: 'changed' }, signature })).status,
    ).toBe(1);
  });
});
