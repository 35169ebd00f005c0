import { kafkaConnectionConfig } from './kafka-client';

const ca = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n';
const credentials = { username: 'agency-gateway', password: 'a-password' };

describe('kafkaConnectionConfig', () => {
  it('is SCRAM-SHA-512 inside TLS that trusts the given CA alone and verifies the broker', () => {
    expect(kafkaConnectionConfig({ brokers: ['127.0.0.1:9092'], credentials, tls: { ca } })).toEqual({
      brokers: ['127.0.0.1:9092'],
      sasl: { mechanism: 'scram-sha-512', ...credentials },
      ssl: { ca: [ca], rejectUnauthorized: true },
    });
  });

  it('adds a client certificate with its key', () => {
    const tls = { ca, cert: 'CERT', key: 'KEY' };
    expect(kafkaConnectionConfig({ brokers: [], credentials, tls }).ssl).toEqual({
      ca: [ca],
      cert: 'CERT',
      key: 'KEY',
      rejectUnauthorized: true,
    });
  });

  it('refuses a CA that is no PEM certificate, and a certificate without its key', () => {
    expect(() => kafkaConnectionConfig({ brokers: [], credentials, tls: { ca: '' } })).toThrow(/not a PEM/);
    expect(() => kafkaConnectionConfig({ brokers: [], credentials, tls: { ca, cert: 'CERT' } })).toThrow(
      /needs its key/,
    );
  });
});
