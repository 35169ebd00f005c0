import { byId, el } from '@hub/web';
import { showPane } from './detail';
import { api } from './state';
import { TEXT } from './text';
import { HitIdentifier, parseIdentifierLine } from './hit-lines';

interface HitResult {
  index: number;
  hit: boolean;
  contacts: string[];
}

function showResults(lines: string[], results: HitResult[]): void {
  const body = byId('hits-results').querySelector('tbody')!;
  body.textContent = '';
  for (const result of results) {
    const row = el('tr', result.hit ? 'hit' : 'no-hit');
    row.appendChild(el('td', '', lines[result.index]));
    row.appendChild(el('td', '', result.hit ? TEXT.hits.hit : TEXT.hits.noHit));
    row.appendChild(el('td', '', result.contacts.length > 0 ? result.contacts.join(', ') : '\u2014'));
    body.appendChild(row);
  }
  byId('hits-results').hidden = false;
  const hits = results.filter((r) => r.hit).length;
  byId('hits-summary').textContent = TEXT.hits.summary(results.length, hits);
}

async function check(): Promise<void> {
  const error = byId('hits-error');
  error.textContent = '';
  byId('hits-results').hidden = true;
  byId('hits-summary').textContent = '';
  const lines = byId<HTMLTextAreaElement>('hits-input')
    .value.split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (lines.length === 0) {
    error.textContent = TEXT.hits.empty;
    return;
  }
  const identifiers: HitIdentifier[] = [];
  for (const [i, line] of lines.entries()) {
    const identifier = parseIdentifierLine(line);
    if (!identifier) {
      error.textContent = TEXT.hits.badLine(i + 1, line);
      return;
    }
    identifiers.push(identifier);
  }
  const answer = await api.request<{ results?: HitResult[]; details?: { path: string; message: string }[] }>(
    'POST',
    '/v1/hits',
    { identifiers },
  );
  if (answer.status !== 200 || !answer.body.results) {
    const detail = answer.body.details?.[0];
    const at = detail ? /^identifiers\[(\d+)\]/.exec(detail.path) : null;
    error.textContent = at
      ? TEXT.hits.refusedLine(Number(at[1]) + 1, lines[Number(at[1])], detail!.message)
      : TEXT.hits.refused(answer.status, detail?.message ?? '');
    return;
  }
  showResults(lines, answer.body.results);
}

/** "Check identifiers": paste a list, see which other agencies' active alerts name them, and whom to contact. */
export function wireHits(): void {
  byId('check-identifiers').addEventListener('click', () => {
    showPane('hits');
    byId('hits-input').focus();
  });
  byId('hits-close').addEventListener('click', () => showPane('placeholder'));
  byId('hits-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void check();
  });
}
