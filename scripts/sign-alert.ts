/**
 * A client-side helper for origin signatures (docs/signatures.md), Node built-ins only — what an agency's own system
 * does, written independently of the hub's code (TypeScript: run it with `npx tsx`, or strip the types to copy it):
 *   npm run -s sign-alert -- keygen <private-key.pem>          writes an Ed25519 private key, prints the public JWK
 *   npm run -s sign-alert -- sign <private-key.pem> <kid>      reads an alert body (JSON) on stdin, prints Alert-Signature
 *   npm run -s sign-alert -- verify <signing-keys.json>        reads an inbox item / GET /v1/alerts/{id} answer on stdin,
 *                                                               verifies its `signature` over its `alert` with the sender's keys
 *                                                               (the answer of GET /v1/agencies/{id}/signing-keys); exit 1 if not
 */
import crypto from 'node:crypto';
import fs from 'node:fs';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Alert = { [key: string]: Json } & {
  distribution?: { [key: string]: Json };
  subjects?: { [key: string]: Json }[];
  references?: Json[];
};

/** One key of GET /v1/agencies/{id}/signing-keys. */
interface SigningKey {
  kid: string;
  jwk: crypto.JsonWebKey;
  status: string;
  validFrom: string;
}

/** RFC 8785 for JSON data: sorted keys (UTF-16 code units), no whitespace, ECMAScript strings and numbers. */
function jcs(value: Json): string {
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
function signedContent(alert: Alert): Json {
  const { baseVersion: _baseVersion, ...content } = alert;
  const distribution = { recipients: [], sharingGroups: [], ...content.distribution };
  const subjects = (alert.subjects || []).map(({ canonical: _canonical, ...rest }) => rest);
  return { ...content, distribution, subjects, references: alert.references || [] };
}

const b64url = (bytes: string | Buffer) => Buffer.from(bytes).toString('base64url');
const stdinJson = () => JSON.parse(fs.readFileSync(0, 'utf8')) as Record<string, unknown>;

function keygen(file: string): void {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  process.stdout.write(`${JSON.stringify({ jwk: publicKey.export({ format: 'jwk' }) })}\n`);
}

function sign(file: string, kid: string): void {
  const privateKey = crypto.createPrivateKey(fs.readFileSync(file));
  const header = b64url(JSON.stringify({ alg: 'EdDSA', kid }));
  const input = `${header}.${b64url(jcs(signedContent(stdinJson() as Alert)))}`;
  process.stdout.write(`${header}..${b64url(crypto.sign(null, Buffer.from(input), privateKey))}\n`);
}

function verify(file: string): never {
  const { keys } = JSON.parse(fs.readFileSync(file, 'utf8')) as { keys: SigningKey[] };
  const { alert, signature } = stdinJson() as { alert?: Alert; signature?: string };
  if (!signature || !alert) {
    process.stdout.write('NOT SIGNED (no signature or no content)\n');
    process.exit(1);
  }
  const [header, , sig] = signature.split('.');
  const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { kid: string };
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
    ok && key
      ? `VERIFIED: signed with ${kid} (${key.status} now; valid from ${key.validFrom})\n`
      : `NOT VERIFIED (kid ${kid})\n`,
  );
  process.exit(ok ? 0 : 1);
}

const [command, ...args] = process.argv.slice(2);
if (command === 'keygen' && args[0]) keygen(args[0]);
else if (command === 'sign' && args[1]) sign(args[0], args[1]);
else if (command === 'verify' && args[0]) verify(args[0]);
else {
  process.stderr.write(
    'usage: sign-alert.ts keygen <private-key.pem> | sign <private-key.pem> <kid> < body.json | verify <signing-keys.json> < item.json\n',
  );
  process.exit(2);
}
