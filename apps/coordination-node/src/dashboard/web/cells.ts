import { displayName, el, formatDateTime } from '@hub/web';
import { TEXT, VOCAB } from './text';

/** A table cell holding text or an element. */
export function td(className: string, content: Node | string | number | null | undefined): HTMLTableCellElement {
  const cell = el('td', className);
  if (content instanceof Node) cell.appendChild(content);
  else if (content !== undefined && content !== null) cell.textContent = String(content);
  return cell;
}

/** A time of day, in the page's language and the browser's zone. */
export function clock(iso: string): string {
  return formatDateTime(iso, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

export function withheldNote(tlp: string | undefined): HTMLSpanElement {
  return el('span', 'withheld-note', TEXT.feed.withheld(tlp));
}

/** Agency ids joined by a separator; an id never breaks across lines (they contain hyphens). */
export function agencyList(ids: readonly string[], separator: string): HTMLSpanElement {
  const list = el('span');
  ids.forEach((id, i) => {
    if (i > 0) list.appendChild(document.createTextNode(separator));
    list.appendChild(el('span', 'agency', id));
  });
  return list;
}

/** "Same container CSQU3054383", with the identifier kind as the page names it. */
export function sameIdentifier(identifier: { kind: string; key: string }): string {
  const names: Record<string, string> = TEXT.identifiers;
  return TEXT.same(names[identifier.kind] || identifier.kind, identifier.key);
}

/**
 * A routing decision's summary as the feed writes it ("ADDRESSED ×2 · withheld: NOT_ADDRESSED ×5"), with each
 * reason and decision by its display name.
 */
export function routingSummary(summary: string): string {
  return summary
    .replace(/\bwithheld:/g, displayName(VOCAB, 'decision', 'withheld') + ':')
    .replace(/\b[A-Z][A-Z_]+\b/g, (reason) => displayName(VOCAB, 'reason', reason));
}
