import { createHash, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';
import {
  alertBody,
  api,
  awaitDeliveries,
  createAgency,
  expectEventually,
  submitAlert,
  testEnvironment,
  TestAgency,
  uniqueContainerNumber,
} from '@hub/testing';
import { newAuditor, trail } from '../../audit-log/test/audit-test-support';

const env = testEnvironment();

/**
 * RFC 8785 as docs/signatures.md states it, written here independently of the hub's canonicalJson and of jose:
 * keys sorted by UTF-16 code units, no whitespace, strings and numbers as ECMAScript JSON.stringify writes them.
 */
function jcs(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${jcs(record[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** docs/signatures.md: the alert as delivered, without subjects[].canonical. */
function signedContent(alert: Record<string, any>): Record<string, any> {
  return { ...alert, subjects: alert.subjects.map(({ canonical: _c, ...rest }: Record<string, unknown>) => rest) };
}

const b64url = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64url');

/** What a client does: sign the canonical JSON of the content it sends (with the lists it leaves out as []). */
function signAlert(privateKey: KeyObject, kid: string, content: object, alg = 'EdDSA'): string {
  const header = b64url(JSON.stringify({ alg, kid }));
  const payload = b64url(jcs(content));
  return `${header}..${b64url(sign(null, Buffer.from(`${header}.${payload}`), privateKey))}`;
}

/** What a recipient does offline, with Node's own crypto only: the key from GET /v1/agencies/{id}/signing-keys. */
function verifiedOffline(jws: string, alert: Record<string, any>, keys: { kid: string; jwk: object }[]): boolean {
  const [header, payloadPart, signature] = jws.split('.');
  expect(payloadPart).toBe('');
  const { alg, kid } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  expect(alg).toBe('EdDSA');
  const key = keys.find((k) => k.kid === kid);
  if (!key) return false;
  const input = `${header}.${b64url(jcs(signedContent(alert)))}`;
  return verify(
    null,
    Buffer.from(input),
    createPublicKey({ key: key.jwk as never, format: 'jwk' }),
    Buffer.from(signature, 'base64url'),
  );
}

function registerKey(caller: string, agencyId: string, body: object) {
  return api(env.gateway, 'POST', `/v1/admin/agencies/${agencyId}/signing-keys`, { key: caller, body });
}

describe('origin signatures (Alert-Signature): verified by the gateway, carried to recipients, verifiable offline', () => {
  let sender: TestAgency;
  let recipient: TestAgency;
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  let kid: string;

  beforeAll(async () => {
    [sender, recipient] = await Promise.all([createAgency('TJ'), createAgency('KG')]);
    // The agency registers its own key with its agency key.
    const registered = await registerKey(sender.key, sender.id, { jwk: publicKey.export({ format: 'jwk' }) });
    expect(registered.status).toBe(201);
    kid = registered.body.kid;
  });

  it('registration: the kid is the JWK thumbprint; another agency may not register keys for it; bad keys are named', async () => {
    const jwk = publicKey.export({ format: 'jwk' }) as { crv: string; kty: string; x: string };
    const thumbprint = createHash('sha256')
      .update(`{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}"}`)
      .digest('base64url');
    expect(kid).toBe(thumbprint);
    const other = generateKeyPairSync('ed25519').publicKey;
    expect((await registerKey(recipient.key, sender.id, { jwk: other.export({ format: 'jwk' }) })).status).toBe(403);
    const bad = await registerKey(sender.key, sender.id, { publicKeyPem: 'not a key' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'validation_failed', details: [{ path: 'publicKeyPem' }] });
    const again = await registerKey(env.adminKey, sender.id, { jwk: publicKey.export({ format: 'jwk' }) });
    expect(again.status).toBe(409);
  });

  it('a signed alert is delivered with its signature, verifies offline with Node crypto, and tampered content fails', async () => {
    const container = uniqueContainerNumber();
    // written as an officer writes it; the hub stamps the canonical form beside it, outside the signature
    const body = alertBody([recipient.id], {
      subjects: [{ type: 'container', number: `${container.slice(0, 4).toLowerCase()} ${container.slice(4)}` }],
    });
    const signature = signAlert(privateKey, kid, body);
    const accepted = await submitAlert(sender.key, body, undefined);
    expect(accepted.status).toBe(202); // unsigned is fine while the policy does not require signatures
    const signed = await api(env.gateway, 'POST', '/v1/alerts', {
      key: sender.key,
      body,
      headers: { 'idempotency-key': `sig-${Date.now()}`, 'alert-signature': signature },
    });
    expect(signed.status).toBe(202);
    const { alertId } = signed.body;

    const [item] = await awaitDeliveries(recipient.key, alertId, (entries) => entries.length === 1);
    expect((item as any).signature).toBe(signature);
    expect(item.alert?.subjects[0].canonical).toBe(container);
    const keys = await api(env.gateway, 'GET', `/v1/agencies/${sender.id}/signing-keys`, { key: recipient.key });
    expect(keys.status).toBe(200);
    expect(keys.body.keys).toEqual([
      expect.objectContaining({
        kid,
        status: 'active',
        jwk: expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', kid }),
      }),
    ]);

    expect(verifiedOffline((item as any).signature, item.alert!, keys.body.keys)).toBe(true);
    expect(
      verifiedOffline(
        (item as any).signature,
        { ...item.alert!, headline: 'Altered by a compromised hub' },
        keys.body.keys,
      ),
    ).toBe(false);
    expect(verifiedOffline((item as any).signature, { ...item.alert!, tlp: 'CLEAR' }, keys.body.keys)).toBe(false);

    const read = await api(env.gateway, 'GET', `/v1/alerts/${alertId}`, { key: recipient.key });
    expect(read.body.signature).toBe(signature);
    expect(verifiedOffline(read.body.signature, read.body.alert, keys.body.keys)).toBe(true);
    expect((await api(env.gateway, 'GET', `/v1/alerts/${alertId}`, { key: sender.key })).body.signature).toBe(
      signature,
    );

    // The audit log holds the signature's hash with the submission.
    const auditor = await newAuditor();
    const submitted = await expectEventually(
      async () => (await trail(auditor.key, alertId)).find((entry) => entry.type === 'alert.submitted') ?? false,
      { timeoutMs: 90_000, description: 'the submission in the audit log' },
    );
    expect(submitted.details?.signatureSha256).toBe(createHash('sha256').update(signature).digest('hex'));
  });

  it('signed updates are verified and delivered with their own signature', async () => {
    const body = alertBody([recipient.id]);
    const first = await api(env.gateway, 'POST', '/v1/alerts', {
      key: sender.key,
      body,
      headers: { 'idempotency-key': `sig-u-${Date.now()}`, 'alert-signature': signAlert(privateKey, kid, body) },
    });
    expect(first.status).toBe(202);
    const updated = { ...body, headline: 'Updated headline' };
    const tampered = await api(env.gateway, 'POST', `/v1/alerts/${first.body.alertId}/versions`, {
      key: sender.key,
      body: { ...updated, baseVersion: 1 },
      headers: { 'alert-signature': signAlert(privateKey, kid, body) }, // signed the old content
    });
    expect(tampered.status).toBe(400);
    expect(tampered.body.details[0]).toMatchObject({
      path: 'Alert-Signature',
      message: expect.stringContaining('bad signature'),
    });
    const signature = signAlert(privateKey, kid, updated); // baseVersion is not content
    const ok = await api(env.gateway, 'POST', `/v1/alerts/${first.body.alertId}/versions`, {
      key: sender.key,
      body: { ...updated, baseVersion: 1 },
      headers: { 'alert-signature': signature },
    });
    expect(ok.status).toBe(202);
    const entries = await awaitDeliveries(recipient.key, first.body.alertId, (e) => e.length === 2);
    expect((entries[1] as any).signature).toBe(signature);
  });

  it('refusals name the problem: bad signature, unknown key, revoked key, another agency’s key, missing under the policy', async () => {
    const body = alertBody([recipient.id]);
    const post = (signature: string | undefined, content: object = body) =>
      api(env.gateway, 'POST', '/v1/alerts', {
        key: sender.key,
        body: content,
        headers: {
          'idempotency-key': `sig-r-${Math.random()}`,
          ...(signature ? { 'alert-signature': signature } : {}),
        },
      });
    const message = (response: { status: number; body: any }) => {
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('validation_failed');
      expect(response.body.details[0].path).toBe('Alert-Signature');
      return response.body.details[0].message as string;
    };

    expect(message(await post(signAlert(privateKey, kid, { ...body, headline: 'other' })))).toMatch(/bad signature/);
    expect(message(await post(signAlert(privateKey, 'no-such-kid', body)))).toMatch(/unknown signing key no-such-kid/);
    expect(message(await post('not-a-jws'))).toMatch(/detached/);

    // a recipient's key cannot sign for the sender
    const theirs = generateKeyPairSync('ed25519');
    const theirKid = (
      await registerKey(recipient.key, recipient.id, { jwk: theirs.publicKey.export({ format: 'jwk' }) })
    ).body.kid;
    expect(message(await post(signAlert(theirs.privateKey, theirKid, body)))).toMatch(/unknown signing key .* for /);

    // rotation: a new key replaces the old one from its validFrom; revocation with a date
    const next = generateKeyPairSync('ed25519');
    const rotated = await registerKey(sender.key, sender.id, {
      jwk: next.publicKey.export({ format: 'jwk' }),
      replaces: kid,
    });
    expect(rotated.status).toBe(201);
    expect(message(await post(signAlert(privateKey, kid, body)))).toMatch(new RegExp(`signing key ${kid} expired at`));
    expect((await post(signAlert(next.privateKey, rotated.body.kid, body))).status).toBe(202);
    const revokedAt = new Date(Date.now() - 60_000).toISOString();
    const revoked = await api(
      env.gateway,
      'POST',
      `/v1/admin/agencies/${sender.id}/signing-keys/${rotated.body.kid}/revoke`,
      {
        key: env.adminKey,
        body: { revokedAt, reason: 'compromised' },
      },
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({
      status: 'revoked',
      revokedAt: new Date(revokedAt).toISOString(),
      revocationReason: 'compromised',
    });
    expect(message(await post(signAlert(next.privateKey, rotated.body.kid, body)))).toMatch(/was revoked at/);
    const listed = await api(env.gateway, 'GET', `/v1/agencies/${sender.id}/signing-keys`, { key: recipient.key });
    expect(listed.body.keys.map((k: { kid: string; status: string }) => [k.kid, k.status])).toEqual([
      [kid, 'expired'],
      [rotated.body.kid, 'revoked'],
    ]);

    // the policy: everything the sender sends must be signed
    expect(
      (
        await api(env.gateway, 'PUT', `/v1/admin/agencies/${sender.id}/signing-policy`, {
          key: sender.key,
          body: { requireSignatures: 'yes' },
        })
      ).status,
    ).toBe(400);
    const policy = await api(env.gateway, 'PUT', `/v1/admin/agencies/${sender.id}/signing-policy`, {
      key: sender.key,
      body: { requireSignatures: true },
    });
    expect(policy.status).toBe(200);
    expect(message(await post(undefined))).toMatch(/is required/);
    expect(
      (await api(env.gateway, 'GET', `/v1/agencies/${sender.id}/signing-keys`, { key: recipient.key })).body
        .requireSignatures,
    ).toBe(true);
    const fresh = generateKeyPairSync('ed25519');
    const freshKid = (
      await registerKey(env.adminKey, sender.id, {
        publicKeyPem: fresh.publicKey.export({ type: 'spki', format: 'pem' }),
      })
    ).body.kid;
    expect((await post(signAlert(fresh.privateKey, freshKid, body))).status).toBe(202);
  });
});
