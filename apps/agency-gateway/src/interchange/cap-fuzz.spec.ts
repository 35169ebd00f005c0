import fc from 'fast-check';
import { minimalPlainAlert } from '@hub/contracts/alert/alert.fixtures';
import { AlertContent } from '@hub/contracts/alert/alert-content';
import { fromCapXml, toCapXml } from './cap';
import { interchangeView } from './interchange-view.fixtures';

/** Every problem of a CAP body is the body's: fromCapXml answers with errors (a 400), it never throws (a 500). */
describe('fromCapXml over malformed input', () => {
  const base = toCapXml(interchangeView(minimalPlainAlert() as unknown as AlertContent));
  const read = (xml: string) => {
    const reading = fromCapXml(xml, 'TJ-DCA');
    return reading.ok ? [] : reading.errors;
  };

  it('names the nesting when a well-formed document nests deeper than the parser reads (was a 500)', () => {
    const deep = `${'<x>'.repeat(1000)}${'</x>'.repeat(1000)}`;
    const errors = read(base.replace('<headline>', `${deep}<headline>`));
    expect(errors).toEqual([{ path: 'alert', message: expect.stringMatching(/^cannot be read: .*nested/i) }]);
  });

  it('never throws on arbitrary text, on cuts of a valid document, or on elements spliced into it', () => {
    const tags = fc.constantFrom('alert', 'info', 'parameter', 'area', 'x', 'valueName', 'value', 'p:alert');
    const fragment = fc.oneof(
      fc.string(),
      tags.map((t) => `<${t}>`),
      tags.map((t) => `</${t}>`),
      fc.tuple(tags, fc.nat(300)).map(([t, n]) => `<${t}>`.repeat(n) + `</${t}>`.repeat(n)),
      fc.constantFrom('&amp;', '&bogus;', '<![CDATA[', ']]>', '<?xml version="1.0"?>', 'xmlns="urn:x"'),
    );
    fc.assert(
      fc.property(fc.nat(base.length), fc.nat(base.length), fc.array(fragment, { maxLength: 6 }), (a, b, parts) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        for (const xml of [parts.join(''), base.slice(0, from), base.slice(0, from) + parts.join('') + base.slice(to)])
          expect(() => fromCapXml(xml, 'TJ-DCA')).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
