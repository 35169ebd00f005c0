import { HubError } from '@hub/platform/errors';
import { negotiate } from './media-types';

describe('negotiate(Accept)', () => {
  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['application/cap+xml', 'cap'],
    ['application/cap+xml; charset=utf-8', 'cap'],
    ['application/stix+json;version=2.1', 'stix'],
    ['application/stix+json', 'stix'],
    ['application/json;q=0.5, application/cap+xml', 'cap'],
    ['application/cap+xml;q=0, application/json', 'json'],
    ['text/html, */*;q=0.1', 'json'],
  ])('%s → %s', (accept, representation) => {
    expect(negotiate(accept)).toBe(representation);
  });

  it('406 when nothing acceptable can be produced, naming the header', () => {
    for (const accept of ['text/html', 'application/stix+json;version=2.0', 'application/cap+xml;q=0']) {
      expect(() => negotiate(accept)).toThrow(HubError);
      try {
        negotiate(accept);
      } catch (error) {
        expect((error as HubError).status).toBe(406);
        expect((error as HubError).details[0].path).toBe('Accept');
      }
    }
  });
});
