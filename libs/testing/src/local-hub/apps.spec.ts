import { assertPlainHttpEnvironment } from './apps';

describe('assertPlainHttpEnvironment (npm start, npm test, bench and chaos talk plain HTTP to what they start)', () => {
  it('passes an environment without HTTPS files', () => {
    expect(() => assertPlainHttpEnvironment({ HOST: '127.0.0.1', HTTPS_CERT_FILE: '' })).not.toThrow();
  });

  it('refuses HTTPS files up front, naming the variables', () => {
    expect(() => assertPlainHttpEnvironment({ HTTPS_CERT_FILE: '/certs/a.pem' })).toThrow(/^HTTPS_CERT_FILE is set/);
    expect(() => assertPlainHttpEnvironment({ HTTPS_CERT_FILE: 'a.pem', HTTPS_KEY_FILE: 'a.key' })).toThrow(
      /^HTTPS_CERT_FILE and HTTPS_KEY_FILE are set, .*plain HTTP/,
    );
  });
});
