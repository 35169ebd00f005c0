import { byId, el, formatDateTime, formatNumber, shortId } from '@hub/web';
import { agencyList } from './cells';
import { api, session } from './session';
import { TEXT } from './text';
import type { RoomOverview } from './types';

/** Reloads the operation rooms (GET /v1/rooms): on sign-in and on the counters' periodic tick (main.ts). */
export function refreshRooms(): void {
  if (!session.key) return;
  api
    .getJson<{ items: RoomOverview[] }>('/v1/rooms')
    .then(renderRooms)
    .catch(() => undefined /* retried at the next tick */);
}

const when = (iso: string) =>
  formatDateTime(iso, { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

/** One room as metadata: name (or that it was erased), state, members and activity; never its purpose or messages. */
function roomItem(room: RoomOverview): HTMLLIElement {
  const item = el('li');
  item.setAttribute('data-room-id', room.roomId);
  item.setAttribute('data-state', room.state);
  const what = el('div', 'what');
  what.appendChild(
    room.name === null ? el('span', 'withheld-note', TEXT.rooms.erased) : el('b', 'room-name', room.name),
  );
  what.appendChild(document.createTextNode(` \u00b7 ${shortId(room.roomId)} \u00b7 `));
  what.appendChild(el('span', 'room-state', room.state === 'open' ? TEXT.rooms.open : TEXT.rooms.closed));
  if (room.state === 'open')
    what.appendChild(document.createTextNode(' \u00b7 ' + TEXT.rooms.closes(when(room.closesAt))));
  item.appendChild(what);
  const who = el('div', 'agencies');
  who.appendChild(agencyList(room.members, ', '));
  item.appendChild(who);
  const last = room.lastActivityAt ? when(room.lastActivityAt) : null;
  item.appendChild(el('div', 'room-activity', TEXT.rooms.messages(room.messageCount, last)));
  item.appendChild(
    el('div', 'muted room-access', room.centreIsMember ? TEXT.rooms.centreMember : TEXT.rooms.metadataOnly),
  );
  return item;
}

function renderRooms(page: { items: RoomOverview[] }): void {
  const list = byId('rooms');
  list.textContent = '';
  for (const room of page.items) list.appendChild(roomItem(room));
  byId('rooms-count').textContent = formatNumber(page.items.length);
  byId('rooms-empty').hidden = page.items.length > 0;
}
