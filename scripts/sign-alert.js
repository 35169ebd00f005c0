#!/usr/bin/env node
'use strict';
/**
 * A client-side helper for origin signatures (docs/signatures.md), Node built-ins only — what an agency's own system
 * does, written independently of the hub's code:
 *   node scripts/sign-alert.js keygen <private-key.pem>          writes an Ed25519 private key, prints the public JWK
 *   node scripts/sign-alert.js sign <private-key.pem> <kid>      reads an alert body (JSON) on stdin, prints Alert-Signature
 *   node scripts/sign-alert.js verify <signing-keys.json>        reads an inbox item / GET /v1/alerts/{id} answer on stdin,
 *                                                                 verifies its `signature` over its `alert` with the sender's keys
 *                                                                 (the answer of GET /v1/agencies/{id}/signing-keys); exit 1 if not
 */
const crypto = require('node:crypto');
const fs = require('node:fs');

/** RFC 8785 for JSON data: sorted keys (UTF-16 code units), no whitespace, ECMAScript strings and numbers. */
function jcs(value) {
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${jcs(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The signed content: the alert without the hub-stamped subjects[].canonical; the lists that may be left out as []. */
function signedContent(alert) {
  const { baseVersion: _baseVersion, ...content } = alert;
  const distribution = { recipients: [], sharingGroups: [], ...content.distribution };
  const subjects = (content.subjects || []).map(({ canonical: _canonical, ...rest }) => rest);
  return { ...content, distribution, subjects, references: content.references || [] };
}

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const stdinJson = () => JSON.parse(fs.readFileSync(0, 'utf8'));

const [command, ...args] = process.argv.slice(2);
if (command === 'keygen' && args[0]) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  fs.writeFileSync(args[0], privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  process.stdout.write(`${JSON.stringify({ jwk: publicKey.export({ format: 'jwk' }) })}\n`);
} else if (command === 'sign' && args[1]) {
  const privateKey = crypto.createPrivateKey(fs.readFileSync(args[0]));
  const header = b64url(JSON.stringify({ alg: 'EdDSA', kid: args[1] }));
  const input = `${header}.${b64url(jcs(signedContent(stdinJson())))}`;
  process.stdout.write(`${header}..${b64url(crypto.sign(null, Buffer.from(input), privateKey))}\n`);
} else if (command === 'verify' && args[0]) {
  const { keys } = JSON.parse(fs.readFileSync(args[0], 'utf8'));
  const { alert, signature } = stdinJson();
  if (!signature || !alert) {
    process.stdout.write('NOT SIGNED (no signature or no content)\n');
    process.exit(1);
  }
  const [header, , sig] = signature.split('.');
  const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  const key = keys.find((k) => k.kid === kid);
  const ok =
    key !== undefined &&
    crypto.verify(
      null,
      Buffer.from(`${header}.${b64url(jcs(signedContent(alert)))}`),
      crypto.createPublicKey({ key: key.jwk, format: 'jwk' }),
      Buffer.from(sig, 'base64url'),
    );
  process.stdout.write(
    ok
      ? `VERIFIED: signed with ${kid} (${key.status} now; valid from ${key.validFrom})\n`
      : `NOT VERIFIED (kid ${kid})\n`,
  );
  process.exit(ok ? 0 : 1);
} else {
  process.stderr.write(
    'usage: sign-alert.js keygen <private-key.pem> | sign <private-key.pem> <kid> < body.json | verify <signing-keys.json> < item.json\n',
  );
  process.exit(2);
}
