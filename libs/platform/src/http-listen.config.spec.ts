import { configFiles, ExampleAppConfig } from '@hub/testing/config-fixture';
import { isLoopback, loadConfig } from './config';

const { KAFKA_SSL_CA } = configFiles('http-listen-');
const production = { NODE_ENV: 'production', KAFKA_SSL_CA };

describe('plain HTTP under NODE_ENV=production (HOST, HTTP_BEHIND_TLS_PROXY)', () => {
  it.each(['0.0.0.0', '::', '10.1.2.3', 'hub.example.org'])('refuses to listen on %s, naming HOST', (HOST) => {
    expect(() => loadConfig(ExampleAppConfig, { ...production, HOST })).toThrow(
      /HOST: HOST is not a loopback address.*HTTP_BEHIND_TLS_PROXY=true/,
    );
  });

  it('listens anywhere once told a TLS proxy sits in front', () => {
    const config = loadConfig(ExampleAppConfig, { ...production, HOST: '0.0.0.0', HTTP_BEHIND_TLS_PROXY: 'true' });
    expect(config.HOST).toBe('0.0.0.0');
    expect(() =>
      loadConfig(ExampleAppConfig, { ...production, HOST: '0.0.0.0', HTTP_BEHIND_TLS_PROXY: 'false' }),
    ).toThrow(/HOST: /);
    expect(() => loadConfig(ExampleAppConfig, { ...production, HTTP_BEHIND_TLS_PROXY: 'yes' })).toThrow(
      /HTTP_BEHIND_TLS_PROXY: /,
    );
  });

  it('keeps loopback, and any address outside production', () => {
    expect(loadConfig(ExampleAppConfig, { ...production }).HOST).toBe('127.0.0.1');
    expect(loadConfig(ExampleAppConfig, { ...production, HOST: '::1' }).HOST).toBe('::1');
    expect(loadConfig(ExampleAppConfig, { KAFKA_SSL_CA, HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
  });

  it('knows loopback from the rest', () => {
    expect(['127.0.0.1', '127.8.9.10', '::1', 'localhost'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '::', '128.0.0.1', '127.example.org'].map(isLoopback)).toEqual([false, false, false, false]);
  });
});
