import { MAX_BATCH_LINES, parseLine, splitLines } from './ndjson-batch';

describe('NDJSON batch lines', () => {
  it('splits LF and CRLF lines, a final line break optional, an empty line kept at its index', () => {
    expect(splitLines('{"a":1}\n{"b":2}\n')).toEqual(['{"a":1}', '{"b":2}']);
    expect(splitLines('{"a":1}\r\n\r\n{"b":2}')).toEqual(['{"a":1}', '', '{"b":2}']);
    expect(splitLines('\n\n')).toEqual([]);
    expect(splitLines('x\n'.repeat(MAX_BATCH_LINES))).toHaveLength(MAX_BATCH_LINES);
    expect(splitLines('x\n'.repeat(MAX_BATCH_LINES + 1))).toBeNull();
  });

  it('takes {idempotencyKey, alert, signature?} and names every other problem by its field', () => {
    expect(parseLine('{"idempotencyKey":"k","alert":{"x":1}}')).toEqual({
      ok: true,
      line: { idempotencyKey: 'k', alert: { x: 1 } },
    });
    expect(parseLine('{"idempotencyKey":"k","alert":{},"signature":"a..b"}')).toMatchObject({
      ok: true,
      line: { signature: 'a..b' },
    });
    expect(parseLine('{"idempotencyKey":')).toMatchObject({ ok: false, invalidJson: true });
    expect(parseLine('[1]')).toMatchObject({ ok: false, problems: [{ path: 'line' }] });
    const paths = (text: string) => {
      const parsed = parseLine(text);
      return parsed.ok ? [] : parsed.problems.map((p) => p.path);
    };
    expect(paths(`{"idempotencyKey":"${'k'.repeat(129)}","alert":{}}`)).toEqual(['idempotencyKey']);
    expect(paths('{"idempotencyKey":"k","alert":[],"more":1,"signature":5}')).toEqual(['more', 'alert', 'signature']);
  });
});
