import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KafkaCredentials } from '@hub/kafka/kafka-client';
import { HubBaseConfig } from '@hub/platform/base.config';
import { ConfigError, loadConfig } from '@hub/platform/config';

/**
 * What the specs of HubBaseConfig's settings (HTTPS, Kafka TLS, the listen address) share: a service's configuration
 * class as each app writes its own, temporary PEM files to name in the environment, and the refusal loadConfig gives.
 */
export class ExampleAppConfig extends HubBaseConfig {
  get kafkaCredentials(): KafkaCredentials {
    return { username: 'example', password: 'example-password' };
  }
}

/** A PEM CERTIFICATE block that is no X.509 certificate: enough where only the PEM is read (KAFKA_SSL_CA). */
export const PEM_CERTIFICATE_BLOCK = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n';

export interface ConfigFiles {
  /** A fresh temporary directory. */
  dir: string;
  /** A file in it holding PEM_CERTIFICATE_BLOCK: the KAFKA_SSL_CA every configuration needs. */
  KAFKA_SSL_CA: string;
  /** Writes `text` to `name` in it; returns the file's path. */
  file(name: string, text: string): string;
}

export function configFiles(prefix: string): ConfigFiles {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const file = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  return { dir, KAFKA_SSL_CA: file('kafka-ca.pem', PEM_CERTIFICATE_BLOCK), file };
}

/** The message of the ConfigError that loadConfig throws for `env`; throws if it accepts the configuration. */
export function configRefusal(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(ExampleAppConfig, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.message;
  }
  throw new Error('the configuration was accepted');
}
