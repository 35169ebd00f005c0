import { XMLParser } from 'fast-xml-parser';

/**
 * The document as parsed twice: with prefixes and xmlns attributes (to read the namespace) and without (the elements).
 * The parser refuses some well-formed documents (e.g. "Maximum nested tags exceeded" past 100 levels): that is the
 * body's fault, a 400 naming the problem, never a 500.
 */
export function parseCap(
  xml: string,
): { ok: true; raw: Record<string, any>; document: Record<string, unknown> } | { ok: false; message: string } {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => ['info', 'parameter', 'area', 'geocode', 'circle', 'polygon', 'category', 'code'].includes(name),
  });
  try {
    // The namespace first (the element parser drops prefixes and xmlns attributes): <alert xmlns="…cap:1.2">
    // or <p:alert xmlns:p="…cap:1.2">.
    const raw = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false }).parse(xml);
    return { ok: true, raw, document: parser.parse(xml) };
  } catch (error) {
    return { ok: false, message: (error as Error).message.slice(0, 200) };
  }
}
