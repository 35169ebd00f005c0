/**
 * Compares a translation with the reference catalogue (English): the paths of entries that are missing, extra,
 * empty, or of another shape. A function entry is called with sample arguments and must return a non-empty text.
 * The unit specs of each page run it; TypeScript already refuses a missing key, this also catches empty texts and
 * entries that type-check but say nothing.
 */
export function catalogueProblems(reference: unknown, translation: unknown, path = ''): string[] {
  const here = path || '(root)';
  if (typeof reference === 'string') {
    if (typeof translation !== 'string') return [`${here}: not a text`];
    return translation.trim() ? [] : [`${here}: empty`];
  }
  if (typeof reference === 'function') {
    if (typeof translation !== 'function') return [`${here}: not a function`];
    if (translation.length !== reference.length) return [`${here}: takes ${translation.length} arguments`];
    const samples = Array.from({ length: reference.length }, (_, i) => (i % 2 ? 3 : 'X'));
    const text: unknown = translation(...samples);
    return typeof text === 'string' && text.trim() ? [] : [`${here}: returns no text`];
  }
  if (reference && typeof reference === 'object') {
    if (!translation || typeof translation !== 'object') return [`${here}: missing`];
    const ref = reference as Record<string, unknown>;
    const other = translation as Record<string, unknown>;
    const problems: string[] = [];
    for (const key of Object.keys(ref)) {
      const child = path ? `${path}.${key}` : key;
      if (!(key in other)) problems.push(`${child}: missing`);
      else problems.push(...catalogueProblems(ref[key], other[key], child));
    }
    for (const key of Object.keys(other)) if (!(key in ref)) problems.push(`${path ? path + '.' : ''}${key}: extra`);
    return problems;
  }
  return translation === reference ? [] : [`${here}: differs`];
}

/** The keys an HTML page asks for: data-i18n="key" and data-i18n-attr="attribute:key …". */
export function htmlKeys(html: string): string[] {
  const keys = new Set<string>();
  for (const match of html.matchAll(/data-i18n="([^"]+)"/g)) keys.add(match[1]);
  for (const match of html.matchAll(/data-i18n-attr="([^"]+)"/g))
    for (const pair of match[1].split(/\s+/).filter(Boolean)) keys.add(pair.split(':')[1]);
  return [...keys];
}
