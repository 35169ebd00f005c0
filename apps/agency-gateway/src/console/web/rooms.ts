import { byId, el } from '@hub/web';
import { showPane } from './detail';
import { clearErrors, showErrors } from './field-errors';
import { clearRoomAlerts, showRoomAlerts } from './room-alerts';
import { api, when } from './state';
import { TEXT } from './text';
import type { InboxItem, Room, RoomMessage } from './types';

const roomPath = (roomId: string, action = '') => '/v1/rooms/' + encodeURIComponent(roomId) + action;

/** The operation rooms the agency is in, and the one open on the right (its messages arrive live on the inbox stream). */
export const rooms = {
  list: [] as Room[],
  openRoomId: null as string | null,
  shownMessages: new Set<string>(),
};

export async function refreshRooms(): Promise<void> {
  try {
    const answer = await api.request<{ items: Room[] }>('GET', '/v1/rooms');
    if (answer.status !== 200) return;
    rooms.list = answer.body.items;
    renderRooms();
  } catch {
    /* shown again on the next refresh */
  }
}

function renderRooms(): void {
  const list = byId('rooms-list');
  list.textContent = '';
  for (const room of rooms.list) {
    const button = el('button');
    button.type = 'button';
    button.setAttribute('data-room-id', room.roomId);
    if (rooms.openRoomId === room.roomId) button.setAttribute('aria-current', 'true');
    const line1 = el('div', 'line1');
    line1.appendChild(el('span', 'kind state-' + room.state, TEXT.rooms.state[room.state] ?? room.state));
    line1.appendChild(el('span', 'headline', room.name ?? TEXT.rooms.erasedText));
    const line2 = el('div', 'line2');
    line2.appendChild(el('span', '', room.members.map((m) => m.agencyId).join(', ')));
    button.appendChild(line1);
    button.appendChild(line2);
    button.addEventListener('click', () => void openRoom(room.roomId));
    const li = el('li');
    li.appendChild(button);
    list.appendChild(li);
  }
  byId('rooms-empty').hidden = rooms.list.length > 0;
}

/** Opens a room on the right: its members, state and every message it may see, then new ones live. */
export async function openRoom(roomId: string): Promise<void> {
  const answer = await api.request<Room>('GET', roomPath(roomId));
  if (answer.status !== 200) return;
  const room = answer.body;
  showPane('room');
  rooms.openRoomId = roomId;
  rooms.shownMessages.clear();
  byId('room-title').textContent = room.name ?? TEXT.rooms.erasedText;
  byId('room-meta').textContent =
    TEXT.rooms.state[room.state] +
    ' \u00b7 ' +
    TEXT.rooms.meta(room.owner, room.members.map((m) => m.agencyId).join(', '), when(room.closesAt));
  byId('room-purpose').textContent = room.purpose ?? '';
  byId('room-messages').textContent = '';
  clearRoomAlerts();
  byId('room-form').hidden = room.state !== 'open';
  byId('room-result').textContent = '';
  byId('room-closed').hidden = room.state === 'open';
  byId('room-closed').textContent = room.state === 'open' ? '' : TEXT.rooms.closed;
  let after = '0';
  for (;;) {
    const page = await api.request<{ items: RoomMessage[]; nextCursor: string }>(
      'GET',
      roomPath(roomId, '/messages?limit=500&after=' + after),
    );
    if (page.status !== 200 || rooms.openRoomId !== roomId) return;
    for (const message of page.body.items) showMessage(message);
    if (page.body.items.length < 500) break;
    after = page.body.nextCursor;
  }
  renderRooms();
  await showRoomAlerts(roomId, () => rooms.openRoomId === roomId);
}

function showMessage(message: RoomMessage): void {
  if (rooms.shownMessages.has(message.messageId)) return;
  rooms.shownMessages.add(message.messageId);
  const item = el('li', message.erased ? 'erased' : '');
  item.setAttribute('data-message-id', message.messageId);
  const meta = el('div', 'meta');
  meta.appendChild(el('span', 'author', message.author));
  meta.appendChild(el('span', '', ' \u00b7 ' + when(message.postedAt)));
  item.appendChild(meta);
  item.appendChild(el('p', 'text', message.text ?? TEXT.rooms.erasedText));
  byId('room-messages').appendChild(item);
}

/** A room message from the inbox stream: shown at once if its room is open, and the list refreshed. */
export function addRoomMessage(item: InboxItem): void {
  const message = item.roomMessage;
  if (!message) return;
  if (rooms.openRoomId === message.roomId) showMessage(message);
  if (!rooms.list.some((room) => room.roomId === message.roomId)) void refreshRooms();
}

async function post(event: Event): Promise<void> {
  event.preventDefault();
  const roomId = rooms.openRoomId;
  if (!roomId) return;
  const form = byId<HTMLFormElement>('room-form');
  clearErrors(form);
  const text = byId<HTMLTextAreaElement>('room-text');
  const answer = await api.request<{ messageId: string }>('POST', roomPath(roomId, '/messages'), { text: text.value });
  if (answer.status === 201) {
    text.value = '';
    byId('room-result').textContent = TEXT.rooms.posted;
  } else {
    showErrors(form, answer, byId('room-result'));
  }
}

export function wireRooms(): void {
  byId('room-form').addEventListener('submit', (event) => void post(event));
}

export function clearRooms(): void {
  rooms.list = [];
  rooms.openRoomId = null;
  rooms.shownMessages.clear();
  byId('rooms-list').textContent = '';
}
