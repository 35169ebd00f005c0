import { ErrorCode, HubError } from '@hub/platform/errors';

export const CAP_MEDIA_TYPE = 'application/cap+xml';
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';
/** Content-Type of a CAP submission (parameters such as charset allowed). */
export const CAP_CONTENT_TYPE = /^application\/cap\+xml\s*(;|$)/i;

export type Representation = 'json' | 'cap' | 'stix';

/**
 * The representation an Accept header asks for: CAP 1.2 XML, a STIX 2.1 bundle, or the hub's JSON (the default, also
 * for a missing header, star/star and application/json). The first acceptable type in the header wins; q-values
 * of 0 exclude a type. A header naming only types the hub cannot produce is a 406.
 */
export function negotiate(accept: string | undefined): Representation {
  if (!accept || accept.trim() === '') return 'json';
  const ranges = accept
    .split(',')
    .map((range) => {
      const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      const version = params.find((p) => p.startsWith('version='));
      return { type, q: q ? Number(q.slice(2)) : 1, version: version?.slice('version='.length) };
    })
    .filter((range) => range.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const range of ranges) {
    if (range.type === 'application/cap+xml') return 'cap';
    if (range.type === 'application/stix+json' && (range.version === undefined || range.version === '2.1'))
      return 'stix';
    if (['application/json', 'application/*', '*/*'].includes(range.type)) return 'json';
  }
  throw new HubError(
    ErrorCode.NotAcceptable,
    `Accept names no representation this endpoint has (application/json, ${CAP_MEDIA_TYPE}, ${STIX_MEDIA_TYPE})`,
    [{ path: 'Accept', message: `"${accept}" is not acceptable` }],
  );
}
