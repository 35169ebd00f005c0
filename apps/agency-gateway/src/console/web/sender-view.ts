import { byId, displayName, el, tlpBadge } from '@hub/web';
import { openForm } from './alert-form';
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
import { refreshSent, renderSent } from './sent';
import { alertPath, api, state, when } from './state';
import { TEXT, VOCAB } from './text';
import type { ErasedBody, RecipientStatus, SenderView } from './types';

const SENDER_REFRESH_MS = 4000;

/** Shows one of the agency's own alerts, refreshed every few seconds while it stays open. */
export function openSent(alertId: string, focus: boolean): void {
  state.selected = { as: 'sender', alertId };
  renderSent();
  void loadSenderView(alertId, focus);
  clearInterval(state.senderTimer);
  state.senderTimer = setInterval(() => {
    const selected = state.selected;
    if (selected && selected.as === 'sender' && selected.alertId === alertId && !byId('detail').hidden)
      void loadSenderView(alertId, false);
  }, SENDER_REFRESH_MS);
}

async function loadSenderView(alertId: string, focus: boolean): Promise<void> {
  try {
    const answer = await api.request('GET', alertPath(alertId));
    if (answer.status === 410) {
      if (state.selected && state.selected.alertId === alertId)
        showErased(answer.body as ErasedBody, 'sender', alertId);
      return;
    }
    if (answer.status !== 200) {
      showActionError(answer);
      return;
    }
    const view = answer.body as SenderView;
    if (!state.selected || state.selected.alertId !== alertId) return;
    const wasHidden = byId('detail').hidden;
    showPane('detail');
    state.selected = { as: 'sender', alertId, version: view.version, state: view.state, alert: view.alert };
    if (focus || wasHidden) resetSections();
    const alert = view.alert;
    detailHeader(alert.headline, [
      tlpBadge(alert.tlp),
      el(
        'span',
        'kind' + (view.state === 'cancelled' ? ' state-cancelled' : ''),
        displayName(VOCAB, 'alertState', view.state),
      ),
      TEXT.list.version(view.version),
      TEXT.detail.posted(when(view.receivedAt)),
      alertId,
    ]);
    if (view.state === 'cancelled') showNotice(TEXT.detail.youCancelled(view.cancelReason));
    renderContent(alert);
    byId('recipients-section').hidden = false;
    renderRecipients(view.recipients);
    const active = view.state === 'active';
    byId('edit-alert').hidden = !active;
    byId('cancel-form').hidden = !active;
    if (focus) byId('detail-title').focus();
  } catch {
    /* retried on the next tick */
  }
}

function renderRecipients(recipients: RecipientStatus[]): void {
  const body = byId('recipients-body');
  body.textContent = '';
  for (const r of recipients) {
    const tr = el('tr');
    tr.setAttribute('data-agency-id', r.agencyId);
    tr.setAttribute('data-ack-status', r.ack ? r.ack.status : '');
    tr.appendChild(el('td', '', r.agencyId));
    tr.appendChild(
      el(
        'td',
        '',
        TEXT.detail.deliveredCell(displayName(VOCAB, 'kind', r.deliveredKind), r.deliveredVersion, when(r.deliveredAt)),
      ),
    );
    const ack = r.ack
      ? TEXT.detail.ackCell(displayName(VOCAB, 'ackStatus', r.ack.status), r.ack.version, when(r.ack.at), r.ack.note)
      : TEXT.detail.notYet;
    tr.appendChild(el('td', 'ack', ack));
    body.appendChild(tr);
  }
  if (recipients.length === 0) {
    const tr = el('tr');
    const td = el('td', 'muted', TEXT.detail.noDeliveryYet);
    td.colSpan = 3;
    tr.appendChild(td);
    body.appendChild(tr);
  }
}

async function cancelAlert(): Promise<void> {
  const selected = state.selected;
  if (!selected || selected.as !== 'sender') return;
  clearErrors(byId('cancel-form'));
  const reason = byId<HTMLInputElement>('cancel-reason');
  const answer = await api.request('POST', alertPath(selected.alertId, '/cancel'), { reason: reason.value });
  if (answer.status === 202) {
    reason.value = '';
    void refreshSent();
    void loadSenderView(selected.alertId, false);
  } else {
    showErrors(byId('cancel-form'), answer, byId('action-errors'));
  }
}

export function wireSenderActions(): void {
  byId('cancel-form').addEventListener('submit', (event) => {
    event.preventDefault();
    cancelAlert().catch(() => undefined /* signed out */);
  });
  byId('edit-alert').addEventListener('click', () => {
    const selected = state.selected;
    if (!selected || selected.as !== 'sender' || !selected.alert || selected.version === undefined) return;
    openForm('update', selected.alertId, selected.version, selected.alert);
  });
}
