import { createPublicKey, KeyObject } from 'node:crypto';
import {
  base64url,
  calculateJwkThumbprint,
  decodeProtectedHeader,
  flattenedVerify,
  importJWK,
  ProtectedHeaderParameters,
} from 'jose';
import { canonicalJson } from '@hub/merkle/canonical-json';
import {
  ALERT_SIGNATURE_HEADER,
  ALERT_SIGNATURE_MAX_LENGTH,
  DETACHED_COMPACT_JWS,
  signedAlertContent,
} from '@hub/contracts/signing/alert-signature';
import { FieldError } from '@hub/platform/errors';

/** An Ed25519 public key as a JWK (RFC 8037): the only members the hub keeps. */
export interface PublicEd25519Jwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
}

export type KeyProblem = { ok: false; problem: FieldError };

/**
 * A registration's public key, given as a JWK or as SPKI PEM, checked to be an Ed25519 public key, with its kid:
 * the RFC 7638 JWK thumbprint (SHA-256, base64url), which anyone can recompute from the key itself.
 */
export async function readPublicKey(input: {
  jwk?: Record<string, unknown>;
  publicKeyPem?: string;
}): Promise<{ ok: true; jwk: PublicEd25519Jwk; kid: string } | KeyProblem> {
  const path = input.jwk !== undefined ? 'jwk' : 'publicKeyPem';
  let key: KeyObject;
  try {
    if (input.jwk !== undefined) {
      if ('d' in input.jwk)
        return { ok: false, problem: { path: 'jwk.d', message: 'is a private key member: send only the public key' } };
      key = createPublicKey({ key: input.jwk as never, format: 'jwk' });
    } else {
      key = createPublicKey({ key: input.publicKeyPem ?? '', format: 'pem' });
    }
  } catch (error) {
    return { ok: false, problem: { path, message: `is not a public key (${(error as Error).message})` } };
  }
  if (key.type !== 'public' || key.asymmetricKeyType !== 'ed25519') {
    return {
      ok: false,
      problem: { path, message: `must be an Ed25519 public key (got ${key.asymmetricKeyType ?? key.type})` },
    };
  }
  const exported = key.export({ format: 'jwk' });
  const jwk: PublicEd25519Jwk = { kty: 'OKP', crv: 'Ed25519', x: String(exported.x) };
  return { ok: true, jwk, kid: await calculateJwkThumbprint(jwk, 'sha256') };
}

export interface SigningKeyState {
  kid: string;
  agencyId: string;
  jwk: PublicEd25519Jwk;
  validFrom: Date;
  validUntil: Date | null;
  revokedAt: Date | null;
}

export type SigningKeyStatus = 'active' | 'not-yet-valid' | 'expired' | 'revoked';

export function keyStatus(key: SigningKeyState, at: Date): SigningKeyStatus {
  if (key.revokedAt && key.revokedAt <= at) return 'revoked';
  if (key.validFrom > at) return 'not-yet-valid';
  if (key.validUntil && key.validUntil <= at) return 'expired';
  return 'active';
}

/** The bytes an origin signature signs, before base64url: RFC 8785 canonical JSON of signedAlertContent. */
export function signingPayload(content: object): Uint8Array {
  return new TextEncoder().encode(canonicalJson(signedAlertContent(content)));
}

const PATH = ALERT_SIGNATURE_HEADER;
const refuse = (message: string): KeyProblem => ({ ok: false, problem: { path: PATH, message } });

/**
 * Checks an Alert-Signature against the content the hub will store and deliver, with the sender's key named by
 * `kid`: a detached compact JWS, alg EdDSA, no other critical parameters, by a key of the sender that is active
 * now. Every refusal names what is wrong.
 */
export async function verifyAlertSignature(
  jws: string,
  content: object,
  sender: string,
  findKey: (kid: string) => Promise<SigningKeyState | null>,
  now: Date,
): Promise<{ ok: true; kid: string } | KeyProblem> {
  if (jws.length > ALERT_SIGNATURE_MAX_LENGTH || !DETACHED_COMPACT_JWS.test(jws)) {
    return refuse('must be a compact JWS with a detached (empty) payload: BASE64URL(header)..BASE64URL(signature)');
  }
  const [protectedHeader, , signature] = jws.split('.');
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    return refuse('the JWS header is not base64url-encoded JSON');
  }
  if (header.alg !== 'EdDSA') return refuse(`alg must be EdDSA (got ${String(header.alg)})`);
  if (typeof header.kid !== 'string' || header.kid.length === 0)
    return refuse('the JWS header must name the signing key in kid');
  if (header.crit !== undefined || header.b64 !== undefined)
    return refuse('crit and b64 are not supported: sign the base64url-encoded payload (RFC 7515)');
  const key = await findKey(header.kid);
  if (!key || key.agencyId !== sender) return refuse(`unknown signing key ${header.kid} for ${sender}`);
  const status = keyStatus(key, now);
  if (status === 'revoked') return refuse(`signing key ${key.kid} was revoked at ${key.revokedAt!.toISOString()}`);
  if (status === 'not-yet-valid')
    return refuse(`signing key ${key.kid} is not valid before ${key.validFrom.toISOString()}`);
  if (status === 'expired') return refuse(`signing key ${key.kid} expired at ${key.validUntil!.toISOString()}`);
  try {
    await flattenedVerify(
      { protected: protectedHeader, payload: base64url.encode(signingPayload(content)), signature },
      await importJWK({ ...key.jwk }, 'EdDSA'),
      { algorithms: ['EdDSA'] },
    );
  } catch {
    return refuse(
      `bad signature: it does not verify with key ${key.kid} over the canonical JSON (RFC 8785) of the alert content as the hub stores it (docs/signatures.md)`,
    );
  }
  return { ok: true, kid: key.kid };
}
