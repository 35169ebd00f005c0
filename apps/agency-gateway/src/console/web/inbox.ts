import { byId, displayName, el, LiveStream, setStatus, shortId, tlpBadge } from '@hub/web';
import { matchTitle } from './match';
import { openInboxItem, openReceived } from './received';
import { refreshSent } from './sent';
import { addRoomMessage, openRoom } from './rooms';
import { session, state, when } from './state';
import { TEXT, VOCAB } from './text';
import type { InboxItem } from './types';

const MAX_INBOX = 500;

/** Own alerts a match notice named that the Sent list was reloaded for (once each). */
const sentAskedFor = new Set<string>();

/** The inbox, live: deliveries arrive on /v1/inbox/stream, resumed with Last-Event-ID after a drop. */
export const inboxStream = new LiveStream({
  path: () => '/v1/inbox/stream',
  headers: () => ({ Authorization: 'Bearer ' + state.key }),
  event: 'delivery',
  onData: (data) => addInboxItem(JSON.parse(data) as InboxItem),
  onStatus: (status) => setStatus(status === 'live' ? 'live' : 'reconnecting', TEXT.status[status]),
  onRejected: () => session.signOut(TEXT.signIn.keyRejected),
  onDropped: (error) => console.warn('inbox disconnected:', error instanceof Error ? error.message : error),
});

function addInboxItem(item: InboxItem): void {
  if (state.seenDeliveries.has(item.deliveryId)) return;
  state.seenDeliveries.add(item.deliveryId);
  state.freshDeliveries.add(item.deliveryId);
  state.inbox.unshift(item);
  if (state.inbox.length > MAX_INBOX) state.inbox.length = MAX_INBOX;
  renderInbox();
  if (item.kind === 'room-message') {
    addRoomMessage(item);
    return;
  }
  // A notice about one of the agency's alerts that the Sent list does not hold yet (posted meanwhile, maybe from
  // another system): the list is loaded again once, and the notice then shows that alert's headline.
  if (item.kind === 'match' && !state.sent.some((sent) => sent.alertId === item.alertId)) {
    if (!sentAskedFor.has(item.alertId)) {
      sentAskedFor.add(item.alertId);
      void refreshSent();
    }
  }
  // An open alert that just changed (update, cancel) is shown again with its new version.
  const selected = state.selected;
  if (selected && selected.as === 'recipient' && selected.alertId === item.alertId && !isNotice(item))
    openReceived(item.alertId, false);
}

/** A match or hit notice: about the agency's own alert, not a delivery. */
function isNotice(item: InboxItem): boolean {
  return item.kind === 'match' || item.kind === 'hit';
}

function itemTitle(item: InboxItem): string {
  if (item.roomMessage) return TEXT.rooms.newMessage(shortId(item.roomMessage.roomId), item.roomMessage.author);
  if (item.kind === 'match') return matchTitle(item);
  if (item.kind === 'hit') return TEXT.list.hitTitle(item.hit ? item.hit.text : '');
  if (item.erased) return TEXT.list.erasedTitle;
  if (item.kind === 'cancel') return TEXT.list.cancelledTitle(item.cancelReason);
  return item.alert ? item.alert.headline : '';
}

export function renderInbox(): void {
  const list = byId('inbox-list');
  const showAlerts = byId<HTMLInputElement>('show-alerts').checked;
  const showMatches = byId<HTMLInputElement>('show-matches').checked;
  list.textContent = '';
  let shown = 0;
  for (const item of state.inbox) {
    if (isNotice(item) ? !showMatches : !showAlerts) continue;
    const li = el('li', state.freshDeliveries.has(item.deliveryId) ? 'fresh' : '');
    state.freshDeliveries.delete(item.deliveryId);
    li.appendChild(inboxButton(item));
    list.appendChild(li);
    shown++;
  }
  byId('inbox-count').textContent = TEXT.list.inboxCount(state.inbox.length);
  byId('inbox-empty').hidden = shown > 0;
}

function inboxButton(item: InboxItem): HTMLButtonElement {
  const button = el('button');
  button.type = 'button';
  button.setAttribute('data-delivery-id', item.deliveryId);
  button.setAttribute('data-alert-id', item.alertId);
  button.setAttribute('data-kind', item.kind);
  if (state.selected && state.selected.deliveryId === item.deliveryId) button.setAttribute('aria-current', 'true');
  const line1 = el('div', 'line1');
  line1.appendChild(el('span', 'kind kind-' + item.kind, displayName(VOCAB, 'kind', item.kind)));
  if (item.erased) line1.appendChild(el('span', 'kind state-erased', TEXT.list.erased));
  if (item.alert) line1.appendChild(tlpBadge(item.alert.tlp));
  line1.appendChild(el('span', 'headline', itemTitle(item)));
  const line2 = el('div', 'line2');
  line2.appendChild(
    el('span', '', isNotice(item) ? TEXT.list.yourAlert(shortId(item.alertId)) : TEXT.list.from(item.sender)),
  );
  if (item.kind !== 'room-message') line2.appendChild(el('span', '', TEXT.list.version(item.version)));
  line2.appendChild(el('span', '', when(item.deliveredAt)));
  const acked = state.acked.get(item.alertId + '/' + item.version);
  if (acked) line2.appendChild(el('span', 'acked', TEXT.list.acked(displayName(VOCAB, 'ackStatus', acked))));
  button.appendChild(line1);
  button.appendChild(line2);
  const roomId = item.roomMessage?.roomId;
  button.addEventListener('click', () => (roomId ? void openRoom(roomId) : openInboxItem(item)));
  return button;
}

export function wireInbox(): void {
  byId('show-alerts').addEventListener('change', renderInbox);
  byId('show-matches').addEventListener('change', renderInbox);
}
