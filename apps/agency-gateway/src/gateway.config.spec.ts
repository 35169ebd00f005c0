import { ConfigError, loadConfig } from '@hub/platform/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GatewayConfig } from './gateway.config';

/** Every app needs the Kafka CA file (KAFKA_SSL_CA); its contents are not parsed at boot, only that it is a PEM. */
const KAFKA_SSL_CA = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-config-')), 'ca.pem');
fs.writeFileSync(KAFKA_SSL_CA, '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n');

describe('GatewayConfig secrets', () => {
  const local = { HUB_ADMIN_KEY: 'local-admin-key-change-me', KAFKA_SSL_CA };

  it('derives the runtime URL with the gateway role and its own password', () => {
    const config = loadConfig(GatewayConfig, {
      ...local,
      DATABASE_URL: 'postgres://owner:pw@db:5432/hub',
      GATEWAY_DB_PASSWORD: 'gw-secret',
    });
    const url = new URL(config.databaseUrl);
    expect([url.username, url.password, url.host, url.pathname]).toEqual([
      'hub_gateway',
      'gw-secret',
      'db:5432',
      '/hub',
    ]);
  });

  it('accepts the documented local defaults outside production', () => {
    expect(() => loadConfig(GatewayConfig, local)).not.toThrow();
  });

  it('refuses the local admin key, the local database and Kafka passwords under NODE_ENV=production, naming each variable', () => {
    let error: unknown;
    try {
      loadConfig(GatewayConfig, { ...local, NODE_ENV: 'production' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/HUB_ADMIN_KEY: .*local default/);
    expect((error as Error).message).toMatch(/GATEWAY_DB_PASSWORD: .*local default/);
    expect((error as Error).message).toMatch(/GATEWAY_KAFKA_PASSWORD: .*local default/);
    expect((error as Error).message).toMatch(/IDENTIFIER_HASH_KEY: .*local default/);
    expect((error as Error).message).not.toMatch(/KAFKA_ADMIN_PASSWORD/); // only migrate needs it, and it has no default
  });

  it('refuses the local Kafka admin password under NODE_ENV=production, and takes the app its own Kafka principal', () => {
    const secrets = {
      NODE_ENV: 'production',
      HUB_ADMIN_KEY: 'a'.repeat(32),
      GATEWAY_DB_PASSWORD: 'b'.repeat(32),
      GATEWAY_KAFKA_PASSWORD: 'c'.repeat(32),
      IDENTIFIER_HASH_KEY: 'e'.repeat(32),
      KAFKA_SSL_CA,
    };
    expect(() => loadConfig(GatewayConfig, { ...secrets, KAFKA_ADMIN_PASSWORD: 'hub-local-only-kafka-admin' })).toThrow(
      /KAFKA_ADMIN_PASSWORD: .*local default/,
    );
    const config = loadConfig(GatewayConfig, { ...secrets, KAFKA_ADMIN_PASSWORD: 'd'.repeat(32) });
    expect(config.kafkaCredentials).toEqual({ username: 'agency-gateway', password: 'c'.repeat(32) });
    expect(config.kafkaAdminCredentials).toEqual({ username: 'hub-admin', password: 'd'.repeat(32) });
  });

  it('boots in production with secrets of its own, or with an explicit runtime URL instead of a password', () => {
    const kafka = { GATEWAY_KAFKA_PASSWORD: 'c'.repeat(32), IDENTIFIER_HASH_KEY: 'e'.repeat(32), KAFKA_SSL_CA };
    expect(() =>
      loadConfig(GatewayConfig, {
        NODE_ENV: 'production',
        HUB_ADMIN_KEY: 'a'.repeat(32),
        GATEWAY_DB_PASSWORD: 'b'.repeat(32),
        ...kafka,
      }),
    ).not.toThrow();
    expect(() =>
      loadConfig(GatewayConfig, {
        NODE_ENV: 'production',
        HUB_ADMIN_KEY: 'a'.repeat(32),
        GATEWAY_DATABASE_URL: 'postgres://hub_gateway:x@db/hub',
        ...kafka,
      }),
    ).not.toThrow();
  });
});

describe('GatewayConfig retention', () => {
  const local = { HUB_ADMIN_KEY: 'local-admin-key-change-me', KAFKA_SSL_CA };

  it('reads the grace, the default and the per-category retention', () => {
    const config = loadConfig(GatewayConfig, {
      ...local,
      RETENTION_GRACE_SECONDS: '5',
      RETENTION_BY_CATEGORY: 'seizure=100',
    });
    expect(config.retentionPolicy).toEqual({
      graceSeconds: 5,
      defaultSeconds: 2 * 365 * 24 * 3600,
      byCategory: { seizure: 100 },
    });
  });

  it('fails at boot naming RETENTION_BY_CATEGORY when a category is unknown', () => {
    expect(() => loadConfig(GatewayConfig, { ...local, RETENTION_BY_CATEGORY: 'seizures=100' })).toThrow(
      /RETENTION_BY_CATEGORY: /,
    );
  });
});
