import fs from 'node:fs';
import path from 'node:path';
import { configFiles, configRefusal as refusal, ExampleAppConfig } from '@hub/testing/config-fixture';
import { loadConfig } from './config';

const { dir, file, KAFKA_SSL_CA: CA } = configFiles('kafka-tls-config-');
const CERT = file('client.pem', '-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----\n');
const KEY = file('client.key', '-----BEGIN PRIVATE KEY-----\na2V5\n-----END PRIVATE KEY-----\n');

describe('Kafka TLS settings (KAFKA_SSL_CA, KAFKA_SSL_CERT, KAFKA_SSL_KEY)', () => {
  it('refuses to boot without a CA: the brokers speak SASL_SSL and nothing else', () => {
    expect(refusal({})).toMatch(/KAFKA_SSL_CA: KAFKA_SSL_CA must name the PEM file of the CA/);
  });

  it('refuses a CA path that cannot be read, or a file that holds no certificate, naming the variable', () => {
    expect(refusal({ KAFKA_SSL_CA: path.join(dir, 'missing.pem') })).toMatch(
      /KAFKA_SSL_CA: .*PEM file holding a CERTIFICATE; the file cannot be read \(ENOENT\)/,
    );
    expect(refusal({ KAFKA_SSL_CA: KEY })).toMatch(/KAFKA_SSL_CA: .*the file holds no PEM "CERTIFICATE"/);
  });

  it('reads the CA into the client settings', () => {
    const config = loadConfig(ExampleAppConfig, { KAFKA_SSL_CA: CA });
    expect(config.kafkaTls).toEqual({ ca: fs.readFileSync(CA, 'utf8') });
  });

  it('takes a client certificate only with its key, and the key only with its certificate', () => {
    expect(refusal({ KAFKA_SSL_CA: CA, KAFKA_SSL_CERT: CERT })).toMatch(/KAFKA_SSL_KEY: KAFKA_SSL_KEY is required/);
    expect(refusal({ KAFKA_SSL_CA: CA, KAFKA_SSL_KEY: KEY })).toMatch(/KAFKA_SSL_CERT: KAFKA_SSL_CERT is required/);
    expect(refusal({ KAFKA_SSL_CA: CA, KAFKA_SSL_CERT: CERT, KAFKA_SSL_KEY: CERT })).toMatch(
      /KAFKA_SSL_KEY: .*holds no PEM "PRIVATE KEY"/,
    );
    const config = loadConfig(ExampleAppConfig, { KAFKA_SSL_CA: CA, KAFKA_SSL_CERT: CERT, KAFKA_SSL_KEY: KEY });
    expect(config.kafkaTls).toEqual({
      ca: fs.readFileSync(CA, 'utf8'),
      cert: fs.readFileSync(CERT, 'utf8'),
      key: fs.readFileSync(KEY, 'utf8'),
    });
  });
});
