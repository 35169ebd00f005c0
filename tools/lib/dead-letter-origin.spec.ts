import { holdsRecord } from './dead-letter-origin';

const record = (key: string | null, value: string | null) => ({
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
});

describe('holdsRecord: a dead letter is replayed only when it holds the record its headers name', () => {
  const original = record('TJ-DCA', '{ "keyId": "k1",  "role": "agency" }');

  it('accepts the same bytes, and the value as the consumer re-serialised it', () => {
    expect(holdsRecord(record('TJ-DCA', '{ "keyId": "k1",  "role": "agency" }'), original)).toBe(true);
    expect(holdsRecord(record('TJ-DCA', '{"keyId":"k1","role":"agency"}'), original)).toBe(true);
    expect(holdsRecord(record('', '"not json"'), record(null, 'not json'))).toBe(true);
  });

  it('refuses another value or another key', () => {
    expect(holdsRecord(record('TJ-DCA', '{"keyId":"k1","role":"auditor"}'), original)).toBe(false);
    expect(holdsRecord(record('TJ-DCA', '{"role":"agency","keyId":"k1"}'), original)).toBe(false);
    expect(holdsRecord(record('KG-DCS', '{"keyId":"k1","role":"agency"}'), original)).toBe(false);
    expect(holdsRecord(record('TJ-DCA', null), original)).toBe(false);
  });
});
