import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayConfig } from '../../apps/agency-gateway/src/gateway.config';
import { CoordinationConfig } from '../../apps/coordination-node/src/coordination.config';
import { AuditConfig } from '../../apps/audit-log/src/audit.config';
import { ConfigError, loadConfig } from '@hub/platform/config';

/**
 * The environment compose gives `service`: its `environment:` mapping, with `<<: *hub-env` merged in, every
 * `${VAR:?…}` set to a secret of the operator's own and every `${VAR:-x}` at x. Read line by line (the file's own
 * two-space layout), which is all this needs of YAML.
 */
function environmentOf(service: string): NodeJS.ProcessEnv {
  const lines = readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8')
    .replace(/\$\{(\w+):\?[^}]*\}/g, (_m, name: string) => `${name.toLowerCase().replace(/_/g, '')}0123456789abcdef`)
    .replace(/\$\{\w+:-([^}]*)\}/g, '$1')
    .split('\n');
  /** `key: value` lines indented by exactly `indent`, after the line `start`, until the indentation drops. */
  const mapping = (start: number, indent: number): Record<string, string> => {
    const entries: Record<string, string> = {};
    for (let i = start + 1; i < lines.length; i++) {
      const line = lines[i];
      if (line.trim() === '' || line.trim().startsWith('#')) continue;
      if (line.length - line.trimStart().length < indent) break;
      const match = /^\s*([\w<]+):\s*(.*)$/.exec(line);
      if (match && line.length - line.trimStart().length === indent) entries[match[1]] = match[2].replace(/^"|"$/g, '');
    }
    return entries;
  };
  const hubEnv = mapping(
    lines.findIndex((line) => line.startsWith('x-hub-env: &hub-env')),
    2,
  );
  const serviceAt = lines.findIndex((line) => line === `  ${service}:`);
  const environmentAt = lines.findIndex((line, i) => i > serviceAt && line === '    environment:');
  if (serviceAt < 0 || environmentAt < 0) throw new Error(`docker-compose.yml has no environment for ${service}`);
  const { ['<<']: merged, ...own } = mapping(environmentAt, 6);
  return { ...(merged === '*hub-env' ? hubEnv : {}), ...own };
}

/** Stands in for the kafka_ca secret, which exists inside the containers only (the config checks the file is a PEM). */
const KAFKA_CA_SECRET = '/run/secrets/kafka_ca';
const localCa = join(mkdtempSync(join(tmpdir(), 'compose-config-')), 'kafka-ca.pem');
writeFileSync(localCa, '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n');

/** The service's environment as its container sees it, KAFKA_SSL_CA pointing at the stand-in of its secret. */
function containerEnvironmentOf(service: string): NodeJS.ProcessEnv {
  const env = environmentOf(service);
  expect(env.KAFKA_SSL_CA).toBe(KAFKA_CA_SECRET);
  const compose = readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8');
  const block = compose.slice(compose.indexOf(`\n  ${service}:\n`) + 1).split(/\n {2}\S/)[0];
  expect(block).toMatch(/\n {4}secrets:\n(?: {6}- .*\n)* {6}- kafka_ca\n/); // the secret is mounted
  return { ...env, KAFKA_SSL_CA: localCa };
}

/** What compose gives each app boots under its NODE_ENV=production: no variable is missing or left at a local default. */
describe('docker-compose.yml: every app and the migrate job get a configuration their production checks accept', () => {
  const apps = [
    ['agency-gateway', GatewayConfig],
    ['coordination-node', CoordinationConfig],
    ['audit-log', AuditConfig],
  ] as const;

  it.each(apps)('%s', (service, config) => {
    const env = containerEnvironmentOf(service);
    expect(env.NODE_ENV).toBe('production');
    expect(() => loadConfig(config as new () => object, env)).not.toThrow();
  });

  it.each(apps)('the migrate job, which loads the whole configuration of %s', (_service, config) => {
    expect(() => loadConfig(config as new () => object, containerEnvironmentOf('migrate'))).not.toThrow();
  });

  it('would catch a missing secret: the node without IDENTIFIER_HASH_KEY is refused under production', () => {
    const { IDENTIFIER_HASH_KEY: _key, ...env } = containerEnvironmentOf('coordination-node');
    expect(() => loadConfig(CoordinationConfig, env)).toThrow(ConfigError);
  });

  it('would catch an app without the Kafka CA: it refuses to boot naming KAFKA_SSL_CA', () => {
    const { KAFKA_SSL_CA: _ca, ...env } = containerEnvironmentOf('agency-gateway');
    expect(() => loadConfig(GatewayConfig, env)).toThrow(/KAFKA_SSL_CA: /);
  });
});
