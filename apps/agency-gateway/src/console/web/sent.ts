import { byId, displayName, el, shortId, tlpBadge } from '@hub/web';
import { renderInbox } from './inbox';
import { refreshRooms } from './rooms';
import { openSent } from './sender-view';
import { api, state, when } from './state';
import { TEXT, VOCAB } from './text';
import type { SentItem } from './types';

/** Reloads the agency's own alerts; a failure is shown again on the next refresh. */
export async function refreshSent(): Promise<void> {
  try {
    const answer = await api.request<{ items: SentItem[] }>('GET', '/v1/alerts?limit=100');
    if (answer.status !== 200) return;
    state.sent = answer.body.items;
    renderSent();
    // Match notices name the agency's own alerts by their headlines, which come from this list.
    if (state.inbox.some((item) => item.kind === 'match')) renderInbox();
  } catch {
    /* shown again on the next refresh */
  }
}

export function renderSent(): void {
  const list = byId('sent-list');
  list.textContent = '';
  for (const alert of state.sent) {
    const li = el('li');
    li.appendChild(sentButton(alert));
    list.appendChild(li);
  }
  byId('sent-empty').hidden = state.sent.length > 0;
}

function sentButton(alert: SentItem): HTMLButtonElement {
  const button = el('button');
  button.type = 'button';
  button.setAttribute('data-alert-id', alert.alertId);
  if (state.selected && state.selected.as === 'sender' && state.selected.alertId === alert.alertId)
    button.setAttribute('aria-current', 'true');
  const line1 = el('div', 'line1');
  if (alert.erased) line1.appendChild(el('span', 'kind state-erased', TEXT.list.erased));
  else line1.appendChild(tlpBadge(alert.tlp));
  line1.appendChild(el('span', 'headline', alert.erased ? TEXT.list.erasedTitle : alert.headline));
  if (alert.state === 'cancelled') line1.appendChild(el('span', 'kind state-cancelled', TEXT.list.cancelled));
  const line2 = el('div', 'line2');
  line2.appendChild(el('span', '', shortId(alert.alertId)));
  line2.appendChild(el('span', '', TEXT.list.version(alert.version)));
  if (alert.category) line2.appendChild(el('span', '', displayName(VOCAB, 'category', alert.category)));
  line2.appendChild(el('span', '', when(alert.createdAt)));
  button.appendChild(line1);
  button.appendChild(line2);
  button.addEventListener('click', () => openSent(alert.alertId, true));
  return button;
}

const TABS = ['inbox', 'sent', 'rooms'] as const;
type Tab = (typeof TABS)[number];

export function selectTab(name: Tab): void {
  for (const tab of TABS) {
    byId('tab-' + tab).setAttribute('aria-selected', String(tab === name));
    byId('tab-' + tab).tabIndex = tab === name ? 0 : -1;
    byId(tab + '-view').hidden = tab !== name;
  }
  if (name === 'sent') void refreshSent();
  if (name === 'rooms') void refreshRooms();
}

export function wireTabs(): void {
  byId('tab-inbox').addEventListener('click', () => selectTab('inbox'));
  byId('tab-sent').addEventListener('click', () => selectTab('sent'));
  byId('tab-rooms').addEventListener('click', () => selectTab('rooms'));
  // Arrow keys move between the tabs, as in any tab list.
  byId('tab-inbox').parentElement?.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    const current = TABS.findIndex((tab) => byId('tab-' + tab).getAttribute('aria-selected') === 'true');
    const next = TABS[(current + (event.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length];
    selectTab(next);
    byId('tab-' + next).focus();
  });
}
