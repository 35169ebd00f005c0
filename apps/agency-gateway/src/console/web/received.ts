import { byId, displayName, el, tlpBadge } from '@hub/web';
import {
  detailHeader,
  renderContent,
  resetSections,
  showActionError,
  showErased,
  showNotice,
  showPane,
} from './detail';
import { clearErrors, showErrors } from './field-errors';
import { fillAgencyChoices, checkedValues } from './choices';
import { renderInbox } from './inbox';
import { matchView } from './match';
import { openSent } from './sender-view';
import { refreshSent, selectTab } from './sent';
import { alertPath, api, newIdempotencyKey, state, when } from './state';
import { TEXT, VOCAB } from './text';
import type { Alert, ErasedBody, InboxItem, ReceivedView } from './types';

/** Forwarding is refused for these (contract: no onward dissemination without the originator). */
const NO_FORWARD_TLP = new Set(['RED', 'AMBER+STRICT']);
const NO_FORWARD_HANDLING = new Set(['H2']);

export function openInboxItem(item: InboxItem): void {
  if (item.kind === 'match') {
    openMatch(item);
    return;
  }
  if (item.kind === 'hit') {
    openHit(item);
    return;
  }
  state.selected = { as: 'recipient', alertId: item.alertId, deliveryId: item.deliveryId };
  renderInbox();
  openReceived(item.alertId, true);
}

function openMatch(item: InboxItem): void {
  const match = item.match;
  showPane('detail');
  state.selected = { as: 'match', alertId: item.alertId, deliveryId: item.deliveryId };
  renderInbox();
  resetSections();
  detailHeader(TEXT.detail.matchNotice, [
    el('span', 'kind kind-match', TEXT.detail.match),
    TEXT.detail.found(when(match?.foundAt)),
  ]);
  const view = matchView(item);
  const m = TEXT.match;
  const own = view.ownHeadline ? m.quoted(view.ownHeadline) : m.ownUnknown(item.alertId.slice(0, 8));
  const on = view.identifier ? m.on(m.identifiers[view.identifier.kind], view.identifier.key) : '';
  const sentence = view.restricted
    ? m.sentenceNotShared(own, view.otherAgencyId, m.contact(view.otherAgencyId, view.otherAgencyName ?? ''))
    : view.other
      ? m.sentenceShared(own, m.quoted(view.other.headline), view.otherAgencyId, on)
      : m.sentenceSharedUnknown(own, view.otherAgencyId, on);
  const notice = showNotice('');
  notice.appendChild(el('p', 'match-text', sentence));
  const actions = el('p', 'match-actions');
  // A link to the reader's own alert (opened in the Sent list), and to the other alert where the reader holds it.
  const ownLink = el('a', 'match-own', TEXT.detail.openYourAlert);
  ownLink.href = '#alert-' + encodeURIComponent(item.alertId);
  ownLink.addEventListener('click', (event) => {
    event.preventDefault();
    selectTab('sent');
    openSent(item.alertId, true);
  });
  actions.appendChild(ownLink);
  const other = view.other;
  if (other) {
    const theirs = el('a', 'match-other', m.openTheirs);
    theirs.href = '#alert-' + encodeURIComponent(other.alertId);
    theirs.addEventListener('click', (event) => {
      event.preventDefault();
      const delivery = state.inbox.find((i) => i.alertId === other.alertId && i.kind !== 'match');
      state.selected = { as: 'recipient', alertId: other.alertId, deliveryId: delivery?.deliveryId };
      renderInbox();
      void openReceived(other.alertId, true);
    });
    actions.appendChild(theirs);
  }
  notice.appendChild(actions);
  byId('detail-title').focus();
}

/** A hit notice: another agency checked identifiers that the agency's own alerts name (POST /v1/hits). */
function openHit(item: InboxItem): void {
  const hit = item.hit ?? { text: '', askedAt: '' };
  showPane('detail');
  state.selected = { as: 'match', alertId: item.alertId, deliveryId: item.deliveryId };
  renderInbox();
  resetSections();
  detailHeader(TEXT.detail.hitNotice, [
    el('span', 'kind kind-hit', TEXT.detail.hit),
    TEXT.detail.asked(when(hit.askedAt)),
    TEXT.detail.aboutYourAlert(item.alertId),
  ]);
  const notice = showNotice('');
  notice.appendChild(el('p', 'match-text', hit.text));
  const open = el('button', '', TEXT.detail.openYourAlert);
  open.type = 'button';
  open.addEventListener('click', () => {
    selectTab('sent');
    openSent(item.alertId, true);
  });
  notice.appendChild(open);
  byId('detail-title').focus();
}

function forwardRefusal(alert: Alert): string | null {
  if (NO_FORWARD_TLP.has(alert.tlp)) return TEXT.actions.noForwardTlp(alert.tlp, state.selected?.sender);
  if (NO_FORWARD_HANDLING.has(alert.handlingCode)) return TEXT.actions.noForwardH2;
  return null;
}

/** Shows an alert as its recipient reads it: content, acknowledgement, and forwarding (or why not). */
export async function openReceived(alertId: string, focus: boolean): Promise<void> {
  try {
    const answer = await api.request('GET', alertPath(alertId));
    if (answer.status === 410) {
      showErased(answer.body as ErasedBody, 'recipient', alertId);
      return;
    }
    if (answer.status !== 200) {
      showActionError(answer);
      return;
    }
    const view = answer.body as ReceivedView;
    showPane('detail');
    state.selected = {
      as: 'recipient',
      alertId,
      deliveryId: state.selected?.deliveryId,
      version: view.version,
      sender: view.sender,
    };
    resetSections();
    const alert = view.alert;
    detailHeader(alert.headline, [
      tlpBadge(alert.tlp),
      el('span', 'kind kind-' + view.kind, displayName(VOCAB, 'kind', view.kind)),
      TEXT.list.version(view.version),
      TEXT.list.from(view.sender),
      TEXT.detail.delivered(when(view.deliveredAt)),
      alertId,
    ]);
    if (view.kind === 'cancel') showNotice(TEXT.detail.cancelledBy(view.sender, view.cancelReason));
    renderContent(alert);
    byId('ack-section').hidden = false;
    byId('ack-submit').textContent = TEXT.actions.acknowledgeVersion(view.version);
    const refusal = forwardRefusal(alert);
    byId('forward-section').hidden = view.kind === 'cancel';
    byId('forward-refused').hidden = !refusal;
    byId('forward-refused').textContent = refusal || '';
    byId('forward-form').hidden = !!refusal;
    if (!refusal) fillAgencyChoices(byId('forward-agencies'), 'forward', [view.sender]);
    if (focus) byId('detail-title').focus();
  } catch {
    /* signed out or offline: the status says so */
  }
}

async function acknowledge(): Promise<void> {
  const selected = state.selected;
  if (!selected || selected.as !== 'recipient') return;
  const checked = document.querySelector<HTMLInputElement>('input[name="ack-status"]:checked');
  const note = byId<HTMLTextAreaElement>('ack-note').value.trim();
  const body: { version?: number; status?: string; note?: string } = {
    version: selected.version,
    status: checked?.value,
  };
  if (note) body.note = note;
  clearErrors(byId('ack-form'));
  const answer = await api.request('POST', alertPath(selected.alertId, '/ack'), body);
  if (answer.status === 202) {
    const status = String(body.status);
    state.acked.set(selected.alertId + '/' + selected.version, status);
    byId('ack-result').textContent = TEXT.actions.acknowledged(
      Number(selected.version),
      displayName(VOCAB, 'ackStatus', status),
    );
    byId<HTMLTextAreaElement>('ack-note').value = '';
    renderInbox();
  } else {
    showErrors(byId('ack-form'), answer, byId('action-errors'));
  }
}

async function forward(): Promise<void> {
  const selected = state.selected;
  if (!selected || selected.as !== 'recipient') return;
  const recipients = checkedValues(byId('forward-agencies'));
  clearErrors(byId('forward-form'));
  const answer = await api.request<{ alertId: string }>(
    'POST',
    alertPath(selected.alertId, '/forward'),
    { recipients },
    { 'Idempotency-Key': newIdempotencyKey() },
  );
  if (answer.status === 202) {
    byId('forward-result').textContent = TEXT.actions.forwarded(answer.body.alertId);
    void refreshSent();
  } else {
    showErrors(byId('forward-form'), answer, byId('action-errors'));
  }
}

export function wireRecipientActions(): void {
  byId('ack-form').addEventListener('submit', (event) => {
    event.preventDefault();
    acknowledge().catch(() => undefined /* signed out */);
  });
  byId('forward-form').addEventListener('submit', (event) => {
    event.preventDefault();
    forward().catch(() => undefined /* signed out */);
  });
}
