import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json';
import {
  ackNoteCommitment,
  ackNoteMatchesCommitment,
  contentCommitment,
  contentMatchesCommitment,
  identifierKeyHash,
  newContentSalt,
  problemsCommitment,
  problemsMatchCommitment,
} from './content-commitment';

const alert = {
  headline: 'Heroin at Nizhny Pyanj',
  subjects: [{ type: 'phone', number: '+992 93 555 0101' }],
  tlp: 'AMBER',
};

describe('contentCommitment', () => {
  it('is SHA-256 over the domain, a zero byte, the salt and the canonical content (the documented layout)', () => {
    const salt = Buffer.alloc(32, 7);
    const expected = createHash('sha256')
      .update(
        Buffer.concat([
          Buffer.from('hub.alert-content.v1', 'ascii'),
          Buffer.from([0]),
          salt,
          Buffer.from(canonicalJson({ alert }), 'utf8'),
        ]),
      )
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
        if (other !== headline)
          expect(contentMatchesCommitment(commitment, salt.toString('hex'), { alert: { headline: other } })).toBe(
            false,
          );
        expect(contentMatchesCommitment(commitment, newContentSalt().toString('hex'), { alert: { headline } })).toBe(
          false,
        );
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

describe('commitments to notes and rejection problems', () => {
  const layout = (domain: string, salt: Buffer, disclosed: unknown) =>
    createHash('sha256')
      .update(
        Buffer.concat([
          Buffer.from(domain, 'ascii'),
          Buffer.from([0]),
          salt,
          Buffer.from(canonicalJson(disclosed), 'utf8'),
        ]),
      )
      .digest('hex');

  it('use the documented layout, each under its own domain', () => {
    const salt = Buffer.alloc(32, 9);
    const problems = [{ path: 'subjects[0].number', message: 'check digit is wrong' }];
    expect(ackNoteCommitment(salt, { note: 'Checking with the Osh post' })).toBe(
      layout('hub.ack-note.v1', salt, { note: 'Checking with the Osh post' }),
    );
    expect(problemsCommitment(salt, { problems })).toBe(layout('hub.rejection-problems.v1', salt, { problems }));
  });

  it('a disclosure of one kind never opens a commitment of another (domain separation)', () => {
    const salt = newContentSalt();
    const hex = salt.toString('hex');
    // The same JSON under the content domain and the note domain gives unrelated commitments.
    const asNote = ackNoteCommitment(salt, { note: 'x' });
    expect(contentMatchesCommitment(asNote, hex, { alert: 'x' })).toBe(false);
    expect(problemsMatchCommitment(asNote, hex, { problems: [] })).toBe(false);
    expect(ackNoteMatchesCommitment(asNote, hex, { note: 'x' })).toBe(true);
  });

  it('accepts the disclosed text and salt, and nothing else', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (note, other, path) => {
        const salt = newContentSalt();
        const hex = salt.toString('hex');
        expect(ackNoteMatchesCommitment(ackNoteCommitment(salt, { note }), hex, { note })).toBe(true);
        if (other !== note)
          expect(ackNoteMatchesCommitment(ackNoteCommitment(salt, { note }), hex, { note: other })).toBe(false);
        const problems = [{ path, message: note }];
        expect(problemsMatchCommitment(problemsCommitment(salt, { problems }), hex, { problems })).toBe(true);
        if (other !== note)
          expect(
            problemsMatchCommitment(problemsCommitment(salt, { problems }), hex, {
              problems: [{ path, message: other }],
            }),
          ).toBe(false);
        expect(
          ackNoteMatchesCommitment(ackNoteCommitment(salt, { note }), newContentSalt().toString('hex'), { note }),
        ).toBe(false);
      }),
    );
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
