import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json';
import { contentCommitment, contentMatchesCommitment, identifierKeyHash, newContentSalt } from './content-commitment';

const alert = { headline: 'Heroin at Nizhny Pyanj', subjects: [{ type: 'phone', number: '+992 93 555 0101' }], tlp: 'AMBER' };

describe('contentCommitment', () => {
  it('is SHA-256 over the domain, a zero byte, the salt and the canonical content (the documented layout)', () => {
    const salt = Buffer.alloc(32, 7);
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from('hub.alert-content.v1', 'ascii'), Buffer.from([0]), salt, Buffer.from(canonicalJson({ alert }), 'utf8')]))
      .digest('hex');
    expect(contentCommitment(salt, { alert })).toBe(expected);
  });

  it('covers the cancel reason when there is one, and ignores key order', () => {
    const salt = newContentSalt();
    const reordered = { tlp: 'AMBER', subjects: alert.subjects, headline: alert.headline };
    expect(contentCommitment(salt, { alert: reordered })).toBe(contentCommitment(salt, { alert }));
    expect(contentCommitment(salt, { alert, cancelReason: 'cleared' })).not.toBe(contentCommitment(salt, { alert }));
  });

  it('accepts the disclosed content and salt, and nothing else', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (headline, other) => {
        const salt = newContentSalt();
        const commitment = contentCommitment(salt, { alert: { headline } });
        expect(contentMatchesCommitment(commitment, salt.toString('hex'), { alert: { headline } })).toBe(true);
        if (other !== headline) expect(contentMatchesCommitment(commitment, salt.toString('hex'), { alert: { headline: other } })).toBe(false);
        expect(contentMatchesCommitment(commitment, newContentSalt().toString('hex'), { alert: { headline } })).toBe(false);
      }),
    );
  });

  it('differs per salt, so equal content is not recognisable across versions', () => {
    expect(contentCommitment(newContentSalt(), { alert })).not.toBe(contentCommitment(newContentSalt(), { alert }));
  });

  it('refuses a salt of the wrong size and malformed hex', () => {
    expect(() => contentCommitment(Buffer.alloc(16), { alert })).toThrow(/32 bytes/);
    expect(contentMatchesCommitment('zz', 'aa', { alert })).toBe(false);
  });
});

describe('identifierKeyHash', () => {
  it('depends on the secret, the kind and the key', () => {
    const hash = identifierKeyHash('s1', 'phone', '+992935550101');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(identifierKeyHash('s2', 'phone', '+992935550101')).not.toBe(hash);
    expect(identifierKeyHash('s1', 'container', '+992935550101')).not.toBe(hash);
  });
});
