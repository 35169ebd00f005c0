import { byId, displayName, el, shortId, tlpBadge } from '@hub/web';
import { openReceived } from './received';
import { openSent } from './sender-view';
import { api, directory, when } from './state';
import { TEXT, VOCAB } from './text';
import type { RoomAlert } from './types';

const PAGE = 500;

/**
 * Under the open room's messages: the alerts addressed to the room that this agency sent or received
 * (GET /v1/rooms/{id}/alerts); each opens as in the sent list or the inbox. `isCurrent` stops a room left meanwhile.
 */
export async function showRoomAlerts(roomId: string, isCurrent: () => boolean): Promise<void> {
  const list = byId('room-alerts');
  const found: RoomAlert[] = [];
  let after = '0';
  for (;;) {
    const page = await api.request<{ items: RoomAlert[]; nextCursor: string }>(
      'GET',
      '/v1/rooms/' + encodeURIComponent(roomId) + '/alerts?limit=' + PAGE + '&after=' + after,
    );
    if (page.status !== 200 || !isCurrent()) return;
    found.push(...page.body.items);
    if (page.body.items.length < PAGE) break;
    after = page.body.nextCursor;
  }
  list.textContent = '';
  for (const alert of found) {
    const li = el('li');
    li.appendChild(alertButton(alert));
    list.appendChild(li);
  }
  byId('room-alerts-empty').hidden = found.length > 0;
}

export function clearRoomAlerts(): void {
  byId('room-alerts').textContent = '';
  byId('room-alerts-empty').hidden = true;
}

function alertButton(alert: RoomAlert): HTMLButtonElement {
  const mine = alert.sender === directory().self.id;
  const button = el('button');
  button.type = 'button';
  button.setAttribute('data-alert-id', alert.alertId);
  const line1 = el('div', 'line1');
  if (alert.erased) line1.appendChild(el('span', 'kind state-erased', TEXT.list.erased));
  else if (alert.tlp) line1.appendChild(tlpBadge(alert.tlp));
  line1.appendChild(el('span', 'headline', alert.erased ? TEXT.list.erasedTitle : (alert.headline ?? '')));
  if (alert.state === 'cancelled') line1.appendChild(el('span', 'kind state-cancelled', TEXT.list.cancelled));
  const line2 = el('div', 'line2');
  line2.appendChild(el('span', '', mine ? TEXT.list.yourAlert(shortId(alert.alertId)) : TEXT.list.from(alert.sender)));
  line2.appendChild(el('span', '', TEXT.list.version(alert.version)));
  if (alert.category) line2.appendChild(el('span', '', displayName(VOCAB, 'category', alert.category)));
  line2.appendChild(el('span', '', when(alert.sentAt)));
  button.appendChild(line1);
  button.appendChild(line2);
  button.addEventListener('click', () =>
    mine ? openSent(alert.alertId, true) : void openReceived(alert.alertId, true),
  );
  return button;
}
