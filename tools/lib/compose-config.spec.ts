import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayConfig } from '../../apps/agency-gateway/src/gateway.config';
import { CoordinationConfig } from '../../apps/coordination-node/src/coordination.config';
import { AuditConfig } from '../../apps/audit-log/src/audit.config';
import { ConfigError, loadConfig } from '@hub/platform/config';
import { AppName } from '@hub/testing/local-hub/apps';
import { makeHttpsCertificates } from '@hub/testing/local-hub/https-certificates';

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

const COMPOSE = readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8');

/** The lines of one top-level service of docker-compose.yml, from `  <service>:` to the next service. */
function blockOf(service: string): string {
  const at = COMPOSE.indexOf(`\n  ${service}:\n`);
  if (at < 0) throw new Error(`docker-compose.yml has no service ${service}`);
  return COMPOSE.slice(at + 1).split(/\n {2}\S/)[0];
}

/** Stands in for the kafka_ca secret, which exists inside the containers only (the config checks the file is a PEM). */
const KAFKA_CA_SECRET = '/run/secrets/kafka_ca';
const scratch = mkdtempSync(join(tmpdir(), 'compose-config-'));
const localCa = join(scratch, 'kafka-ca.pem');
writeFileSync(localCa, '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n');
/** Stand in for the HTTPS secrets: made by the script the compose file tells operators to run (real certificates). */
const httpsFiles = join(scratch, 'secrets');
const https = makeHttpsCertificates(httpsFiles);

/**
 * The service's environment as its container sees it: KAFKA_SSL_CA, HTTPS_CERT_FILE and HTTPS_KEY_FILE pointing at
 * stand-ins of its secrets, once the secrets are checked to be mounted where the variables say.
 */
function containerEnvironmentOf(service: string): NodeJS.ProcessEnv {
  const env = environmentOf(service);
  expect(env.KAFKA_SSL_CA).toBe(KAFKA_CA_SECRET);
  const block = blockOf(service);
  expect(block).toMatch(/\n {4}secrets:\n(?: {6}- .*\n)* {6}- kafka_ca\n/); // the secret is mounted
  const standIns: NodeJS.ProcessEnv = { KAFKA_SSL_CA: localCa };
  if (env.HTTPS_CERT_FILE !== undefined || env.HTTPS_KEY_FILE !== undefined) {
    expect([env.HTTPS_CERT_FILE, env.HTTPS_KEY_FILE]).toEqual(['/run/secrets/https_cert', '/run/secrets/https_key']);
    const secret = service.replace(/-/g, '_');
    expect(block).toContain(`      - source: ${secret}_https_cert\n        target: https_cert\n`);
    expect(block).toContain(`      - source: ${secret}_https_key\n        target: https_key\n`);
    Object.assign(standIns, https.service(service as AppName));
  }
  return { ...env, ...standIns };
}

/** Every service and the host ports it publishes (`- "host:container"` or `- "ip:host:container"` under `ports:`). */
function publishedPorts(): Record<string, string[]> {
  const services: Record<string, string[]> = {};
  const section = COMPOSE.slice(COMPOSE.indexOf('\nservices:\n'), COMPOSE.search(/\n(secrets|volumes):\n/));
  for (const match of section.matchAll(/\n {2}([\w-]+):\n/g)) {
    const ports = /\n {4}ports:\n((?: {6}- .*\n)+)/.exec(blockOf(match[1]));
    services[match[1]] = ports ? [...ports[1].matchAll(/- "?([^"\n]+)"?/g)].map((port) => port[1]) : [];
  }
  return services;
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

  it('would catch an app on the network without HTTPS: refused under production, naming HOST', () => {
    const { HTTPS_CERT_FILE: _cert, HTTPS_KEY_FILE: _key, ...env } = containerEnvironmentOf('audit-log');
    expect(() => loadConfig(AuditConfig, env)).toThrow(/HOST: HOST is not a loopback address/);
  });

  it("would catch a certificate swapped between apps: the key is not the certificate's", () => {
    const env = { ...containerEnvironmentOf('audit-log'), ...https.service('agency-gateway') };
    expect(() =>
      loadConfig(AuditConfig, { ...env, HTTPS_KEY_FILE: https.service('audit-log').HTTPS_KEY_FILE }),
    ).toThrow(/HTTPS_KEY_FILE: .*not the certificate's/);
  });
});

describe('docker-compose.yml: HTTPS', () => {
  it('publishes to the network only apps that serve HTTPS themselves or sit behind a TLS proxy', () => {
    const published = Object.entries(publishedPorts()).filter(([, ports]) =>
      ports.some((port) => !port.startsWith('127.0.0.1:')),
    );
    expect(published.map(([service]) => service).sort()).toEqual(['agency-gateway', 'audit-log', 'coordination-node']);
    for (const [service] of published) {
      const env = environmentOf(service);
      const https = env.HTTPS_CERT_FILE !== undefined && env.HTTPS_KEY_FILE !== undefined;
      expect(https || env.HTTP_BEHIND_TLS_PROXY === 'true').toBe(true);
      // No proxy ships with compose: the apps terminate TLS themselves, and nothing claims otherwise.
      expect({ service, https, proxy: env.HTTP_BEHIND_TLS_PROXY }).toEqual({ service, https: true, proxy: undefined });
    }
  });

  it.each([
    ['agency-gateway', 3000],
    ['coordination-node', 3001],
    ['audit-log', 3002],
  ])('%s is health-checked over HTTPS against the mounted CA', (service, port) => {
    const block = blockOf(service);
    expect(block).toMatch(/\n {4}secrets:\n(?: {6}.*\n| {8}.*\n)* {6}- https_ca\n/);
    const test = /\n {6}test: (.*)\n/.exec(block)?.[1] ?? '';
    expect(test).toContain('NODE_EXTRA_CA_CERTS=/run/secrets/https_ca');
    expect(test).toContain(`https://127.0.0.1:${port}/health`);
    expect(test).not.toContain('http://');
  });

  it('scrapes the apps over HTTPS against the same CA (monitoring profile)', () => {
    expect(blockOf('prometheus')).toMatch(/\n {4}secrets:\n {6}- https_ca\n/);
    const prometheus = readFileSync(join(__dirname, '../../docker/monitoring/prometheus.yml'), 'utf8');
    expect(prometheus).toMatch(/\n {4}scheme: https\n {4}tls_config:\n {6}ca_file: \/run\/secrets\/https_ca\n/);
  });

  it('reads every HTTPS secret from a file docker/https/make-certs.sh writes', () => {
    const files = [...COMPOSE.matchAll(/^ {2}(\w*https\w*):\n {4}file: \.\/docker\/secrets\/(.+)$/gm)];
    expect(files.map((file) => file[1]).sort()).toEqual([
      'agency_gateway_https_cert',
      'agency_gateway_https_key',
      'audit_log_https_cert',
      'audit_log_https_key',
      'coordination_node_https_cert',
      'coordination_node_https_key',
      'https_ca',
    ]);
    for (const [, , file] of files) expect(existsSync(join(httpsFiles, file))).toBe(true);
  });
});
