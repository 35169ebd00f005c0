import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { plainToInstance } from 'class-transformer';
import { registerDecorator, validateSync, ValidationArguments, ValidationError } from 'class-validator';

export class ConfigError extends Error {}

/**
 * Builds an app's config class from the environment and fails at boot naming every bad variable.
 * Config properties are named exactly like the environment variables they come from.
 */
export function loadConfig<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const defaults = new cls() as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...defaults };
  for (const key of Object.keys(env)) {
    if (env[key] !== undefined && env[key] !== '') merged[key] = env[key];
  }
  const config = plainToInstance(cls, merged, { enableImplicitConversion: true });
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${errors.map(describe).join('\n')}`);
  }
  return config;
}

/** What is wrong with the variable, never its value: it may be a secret (a too-short admin key, a password). */
function describe(error: ValidationError): string {
  const reasons = Object.values(error.constraints ?? {}).join('; ');
  return `  ${error.property}: ${reasons}`;
}

/** "a:1,b:2" -> ["a:1","b:2"] */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Secrets documented for local runs only (README): under NODE_ENV=production a service refuses to boot with them. */
export const LOCAL_DEFAULT_SECRETS: readonly string[] = [
  'local-admin-key-change-me',
  'hub-local-only',
  'hub-local-only-gateway',
  'hub-local-only-coordination',
  'hub-local-only-audit',
  'hub-local-only-kafka-admin',
  'hub-local-only-kafka-gateway',
  'hub-local-only-kafka-coordination',
  'hub-local-only-kafka-audit',
  'hub-local-only-identifier-hash-key',
];

/** The value may not be one of LOCAL_DEFAULT_SECRETS when the config's NODE_ENV is production. */
export function NotALocalDefaultInProduction(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'notALocalDefaultInProduction',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          (args.object as { NODE_ENV?: string }).NODE_ENV !== 'production' ||
          !LOCAL_DEFAULT_SECRETS.includes(String(value)),
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} is the documented local default; set a secret of your own under NODE_ENV=production`,
      },
    });
  };
}

/** The text of a PEM file, or why it is not one (unreadable, or no `-----BEGIN <label>` in it). */
export function readPemFile(file: string, label: string): string | Error {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return new Error(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return text.includes(`-----BEGIN ${label}`) ? text : new Error(`holds no PEM "${label}"`);
}

/** The value names a readable PEM file holding a `label` block (CERTIFICATE, PRIVATE KEY). */
export function IsPemFile(label: string): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isPemFile',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        // A missing value is @IsString's to report (with the message that says what the variable is for).
        validate: (value: unknown) => typeof value !== 'string' || !(readPemFile(value, label) instanceof Error),
        // The path is no secret, but the rule stays: say what is wrong, not the value.
        defaultMessage: (args: ValidationArguments) => {
          const problem = readPemFile(String(args.value), label);
          return `${args.property} must name a PEM file holding a ${label}; the file ${problem instanceof Error ? problem.message : 'is unusable'}`;
        },
      },
    });
  };
}

/** 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return net.isIPv4(host) && host.startsWith('127.');
}

/** A certificate and its private key, PEM, as Node's TLS server takes them (`cert` may carry intermediates after it). */
export interface TlsKeyPair {
  cert: string;
  key: string;
}

/** The first certificate of a PEM file, or why the file holds no usable one (unreadable, not PEM, expired). */
export function readCertificateFile(
  file: string,
  now = new Date(),
): { pem: string; certificate: X509Certificate } | Error {
  const pem = readPemFile(file, 'CERTIFICATE');
  if (pem instanceof Error) return pem;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    return new Error('holds no valid X.509 certificate');
  }
  if (Date.parse(certificate.validTo) <= now.getTime())
    return new Error(`holds a certificate that expired on ${certificate.validTo}`);
  return { pem, certificate };
}

/**
 * The private key of a PEM file, or why it is not one. The messages never quote the file: it is key material, and
 * so is what a parser says about it.
 */
export function readPrivateKeyFile(file: string): { pem: string; key: KeyObject } | Error {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return new Error(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!/-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(pem)) return new Error('holds no PEM "PRIVATE KEY"');
  if (pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY'))
    return new Error('holds an encrypted key (give it unencrypted)');
  try {
    return { pem, key: createPrivateKey(pem) };
  } catch {
    return new Error('holds no valid private key');
  }
}

/** What is wrong with a certificate file, its key file, or both. */
export class TlsKeyPairProblem {
  constructor(
    readonly cert?: Error,
    readonly key?: Error,
  ) {}
}

/** The certificate file's certificate and the key file's key, checked to belong together; or what is wrong with them. */
export function readTlsKeyPair(certFile: string, keyFile: string): TlsKeyPair | TlsKeyPairProblem {
  const cert = readCertificateFile(certFile);
  const key = readPrivateKeyFile(keyFile);
  if (cert instanceof Error || key instanceof Error) {
    return new TlsKeyPairProblem(cert instanceof Error ? cert : undefined, key instanceof Error ? key : undefined);
  }
  if (!cert.certificate.checkPrivateKey(key.key)) {
    return new TlsKeyPairProblem(undefined, new Error("holds a key that is not the certificate's"));
  }
  return { cert: cert.pem, key: key.pem };
}

/**
 * The value names a PEM certificate file (when `role` is 'cert') or its private key file ('key'), and the pair named
 * by `certProperty` and `keyProperty` is usable: readable, parsable, unexpired, and the key is the certificate's.
 * Both must be set for the pair to be checked (the "both or neither" rule is @IsString's under @ValidateIf).
 */
export function IsTlsKeyPairFile(role: 'cert' | 'key', certProperty: string, keyProperty: string): PropertyDecorator {
  const problem = (object: object): Error | undefined => {
    const values = object as Record<string, unknown>;
    const [certFile, keyFile] = [values[certProperty], values[keyProperty]];
    if (typeof certFile !== 'string' || typeof keyFile !== 'string') return undefined;
    const pair = readTlsKeyPair(certFile, keyFile);
    return pair instanceof TlsKeyPairProblem ? pair[role] : undefined;
  };
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isTlsKeyPairFile',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (_value: unknown, args: ValidationArguments) => problem(args.object) === undefined,
        defaultMessage: (args: ValidationArguments) =>
          role === 'cert'
            ? `${args.property} must name a PEM file holding the server's certificate; the file ${problem(args.object)?.message ?? 'is unusable'}`
            : `${args.property} must name a PEM file holding the unencrypted private key of ${certProperty}; the file ${problem(args.object)?.message ?? 'is unusable'}`,
      },
    });
  };
}

/**
 * On HOST: under NODE_ENV=production a service does not serve plain HTTP on an address other machines can reach
 * (API keys and alert content would cross the network in clear). It may when it serves HTTPS itself
 * (HTTPS_CERT_FILE and HTTPS_KEY_FILE), or when HTTP_BEHIND_TLS_PROXY=true says a proxy in front of it terminates TLS.
 */
export function PlainHttpOnLoopbackInProduction(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'plainHttpOnLoopbackInProduction',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const config = args.object as {
            NODE_ENV?: string;
            HTTP_BEHIND_TLS_PROXY?: string;
            HTTPS_CERT_FILE?: string;
            HTTPS_KEY_FILE?: string;
          };
          return (
            config.NODE_ENV !== 'production' ||
            (config.HTTPS_CERT_FILE !== undefined && config.HTTPS_KEY_FILE !== undefined) ||
            config.HTTP_BEHIND_TLS_PROXY === 'true' ||
            isLoopback(String(value))
          );
        },
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} is not a loopback address, and under NODE_ENV=production a service serves no plain HTTP ` +
          'to the network: listen on 127.0.0.1, serve HTTPS (set HTTPS_CERT_FILE and HTTPS_KEY_FILE), or put it ' +
          'behind a proxy that terminates TLS and set HTTP_BEHIND_TLS_PROXY=true',
      },
    });
  };
}
