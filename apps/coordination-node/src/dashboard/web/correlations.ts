import { byId, el, formatNumber, shortId } from '@hub/web';
import { agencyList, clock, sameIdentifier, withheldNote } from './cells';
import { api, session } from './session';
import { TEXT } from './text';
import type { Correlation, CorrelationPage } from './types';

let correlationsTimer: ReturnType<typeof setTimeout> | null = null;

/** Reloads the correlations soon after one is found (a burst causes one request). */
export function scheduleCorrelations(): void {
  if (correlationsTimer) return;
  correlationsTimer = setTimeout(() => {
    correlationsTimer = null;
    refreshCorrelations();
  }, 500);
}

export function refreshCorrelations(): void {
  if (!session.key) return;
  api
    .getJson<CorrelationPage>('/v1/correlations?limit=100')
    .then(renderCorrelations)
    .catch(() => undefined /* retried on the next correlation */);
}

function correlationItem(c: Correlation): HTMLLIElement {
  const item = el('li');
  item.setAttribute('data-correlation-id', c.correlationId);
  item.setAttribute('data-alert-ids', c.alerts.map((a) => a.alertId).join(' '));
  const what = el('div', 'what');
  what.appendChild(el('span', 'time muted', clock(c.foundAt) + ' '));
  if (c.identifier?.kind === 'person-name') {
    // Held as a keyed hash: the analyst sees how each alert wrote the person instead.
    const forms = (c.writtenForms ?? []).map((p) => `${p.agencyId}: ${p.fullName} (${p.dateOfBirth})`);
    what.appendChild(document.createTextNode(TEXT.samePerson(forms.join(' \u2194 '))));
  } else if (c.identifier) what.appendChild(document.createTextNode(sameIdentifier(c.identifier)));
  else what.appendChild(withheldNote(TEXT.feed.restrictedAlert));
  item.appendChild(what);
  const who = el('div', 'agencies');
  who.appendChild(agencyList(c.agencies, ' \u2194 '));
  const alerts = c.alerts.map((a) => a.agencyId + ' ' + shortId(a.alertId)).join(', ');
  who.appendChild(document.createTextNode(' \u00b7 ' + alerts));
  item.appendChild(who);
  const notices = el('details');
  const summary =
    (c.restricted ? TEXT.correlations.restricted : TEXT.correlations.open) +
    TEXT.correlations.notices(c.notices.length);
  notices.appendChild(el('summary', '', summary));
  for (const n of c.notices) notices.appendChild(el('p', '', n.agencyId + ': ' + n.text));
  item.appendChild(notices);
  return item;
}

function renderCorrelations(page: CorrelationPage): void {
  const list = byId('correlations');
  list.textContent = '';
  for (const c of page.items) list.appendChild(correlationItem(c));
  byId('correlations-count').textContent = formatNumber(page.items.length) + (page.nextCursor ? '+' : '');
  byId('correlations-empty').hidden = page.items.length > 0;
}
