import { generateKeyPairSync, sign } from 'node:crypto';
import { validPlainAlert } from '@hub/contracts/alert/alert.fixtures';
import { readPublicKey, SigningKeyState, signingPayload, verifyAlertSignature } from './signing-key';

const b64url = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64url');

/** Signs with Node's own crypto, exactly as docs/signatures.md tells a client to. */
function detachedJws(
  privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'],
  header: object,
  content: object,
): string {
  const protectedHeader = b64url(JSON.stringify(header));
  const payload = b64url(Buffer.from(signingPayload(content)));
  return `${protectedHeader}..${b64url(sign(null, Buffer.from(`${protectedHeader}.${payload}`), privateKey))}`;
}

describe('origin signatures', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  let key: SigningKeyState;
  const now = new Date('2026-12-01T12:00:00Z');
  const find = async (kid: string) => (kid === key.kid ? key : null);

  beforeEach(async () => {
    const read = await readPublicKey({ jwk: jwk as Record<string, unknown> });
    if (!read.ok) throw new Error(read.problem.message);
    key = {
      kid: read.kid,
      agencyId: 'TJ-DCA',
      jwk: read.jwk,
      validFrom: new Date('2026-01-01T00:00:00Z'),
      validUntil: null,
      revokedAt: null,
    };
  });

  it('the kid is the RFC 7638 thumbprint, the same from a JWK or from PEM', async () => {
    const fromPem = await readPublicKey({ publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    expect(fromPem).toMatchObject({ ok: true, kid: key.kid });
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses private keys and keys that are not Ed25519', async () => {
    expect(await readPublicKey({ jwk: privateKey.export({ format: 'jwk' }) as Record<string, unknown> })).toMatchObject(
      { ok: false, problem: { path: 'jwk.d' } },
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(await readPublicKey({ publicKeyPem: rsa })).toMatchObject({
      ok: false,
      problem: { path: 'publicKeyPem', message: expect.stringContaining('Ed25519') },
    });
    expect(await readPublicKey({ publicKeyPem: 'not a key' })).toMatchObject({
      ok: false,
      problem: { path: 'publicKeyPem' },
    });
  });

  it('accepts a signature over the content, and the hub-stamped canonical fields do not count', async () => {
    const content = validPlainAlert();
    const jws = detachedJws(privateKey, { alg: 'EdDSA', kid: key.kid }, content);
    expect(await verifyAlertSignature(jws, content, 'TJ-DCA', find, now)).toEqual({ ok: true, kid: key.kid });
    const stamped = { ...content, subjects: content.subjects.map((s) => ({ ...(s as object), canonical: 'X' })) };
    expect(await verifyAlertSignature(jws, stamped, 'TJ-DCA', find, now)).toEqual({ ok: true, kid: key.kid });
    const reordered = Object.fromEntries(Object.entries(content).reverse());
    expect(await verifyAlertSignature(jws, reordered, 'TJ-DCA', find, now)).toEqual({ ok: true, kid: key.kid });
  });

  it('names the problem: tampered content, unknown, revoked, expired or future key, another agency, wrong alg or shape', async () => {
    const content = validPlainAlert();
    const jws = detachedJws(privateKey, { alg: 'EdDSA', kid: key.kid }, content);
    const problem = async (signature: string, body: object = content, sender = 'TJ-DCA') => {
      const result = await verifyAlertSignature(signature, body, sender, find, now);
      return result.ok ? 'verified' : `${result.problem.path}: ${result.problem.message}`;
    };
    expect(await problem(jws, { ...content, headline: 'Altered' })).toMatch(/^Alert-Signature: bad signature/);
    expect(await problem(detachedJws(privateKey, { alg: 'EdDSA', kid: 'nope' }, content))).toMatch(
      /unknown signing key nope for TJ-DCA/,
    );
    expect(await problem(jws, content, 'KG-DCS')).toMatch(/unknown signing key .* for KG-DCS/);
    expect(await problem(detachedJws(privateKey, { alg: 'ES256', kid: key.kid }, content))).toMatch(
      /alg must be EdDSA/,
    );
    expect(await problem(detachedJws(privateKey, { alg: 'EdDSA' }, content))).toMatch(/kid/);
    expect(await problem(jws.replace('..', '.e30.'))).toMatch(/detached/);
    key.revokedAt = new Date('2026-11-30T00:00:00Z');
    expect(await problem(jws)).toMatch(/was revoked at 2026-11-30T00:00:00.000Z/);
    key.revokedAt = null;
    key.validUntil = new Date('2026-06-01T00:00:00Z');
    expect(await problem(jws)).toMatch(/expired at 2026-06-01/);
    key.validUntil = null;
    key.validFrom = new Date('2027-01-01T00:00:00Z');
    expect(await problem(jws)).toMatch(/not valid before 2027-01-01/);
  });
});
