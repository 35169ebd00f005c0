/** Small DOM helpers shared by the web pages. Every value is written with textContent, never as HTML. */

/** The page's element with this id; a missing one is a fault of the page, reported by name. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no element #${id}`);
  return node as T;
}

/** A new element with an optional class and text. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string | number | null,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** The elements under `scope` that match `selector`, as an array. */
export function all<T extends Element = HTMLElement>(selector: string, scope: ParentNode = document): T[] {
  return Array.from(scope.querySelectorAll<Element>(selector)) as T[];
}

/** The first eight characters of an id: enough to tell alerts apart in a list. */
export function shortId(id: string | null | undefined): string {
  return id ? String(id).slice(0, 8) : '';
}

/** The coloured TLP label of a value ('TLP:AMBER+STRICT' gets the class tlp-AMBER-STRICT). */
export function tlpBadge(tlp: string | null | undefined): HTMLSpanElement {
  return el('span', 'tlp tlp-' + (tlp ? tlp.replace('+', '-') : 'unknown'), 'TLP:' + (tlp || '?'));
}

/** The header's connection status: its class colours it ('live', 'reconnecting' or none). */
export function setStatus(kind: string, text: string): void {
  const status = byId('status');
  status.className = kind;
  status.textContent = text;
}

/**
 * The sign-in form both pages share (#signin-form, #signin-key, #signin-error, #signout): the key is taken from the
 * field, which is emptied at once; an empty field says `enterKey` instead.
 */
export function wireSignIn(signIn: (key: string) => Promise<void>, signOut: () => void, enterKey: string): void {
  byId('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId<HTMLInputElement>('signin-key');
    const key = input.value.trim();
    if (!key) {
      byId('signin-error').textContent = enterKey;
      return;
    }
    input.value = '';
    void signIn(key);
  });
  byId('signout').addEventListener('click', signOut);
}
