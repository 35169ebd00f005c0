import { byId, displayName, el, type ApiAnswer } from '@hub/web';
import { answerMessage, clearErrors } from './field-errors';
import { state, when } from './state';
import { TEXT, VOCAB } from './text';
import type { SubjectType } from './text-en';
import type { Alert, ErasedBody, Subject } from './types';

/** The right-hand pane shows one of: the placeholder, an item's details, or the alert form. */
export function showPane(name: 'placeholder' | 'detail' | 'form' | 'hits' | 'room'): void {
  byId('placeholder').hidden = name !== 'placeholder';
  byId('detail').hidden = name !== 'detail';
  byId('alert-form').hidden = name !== 'form';
  byId('hits-form').hidden = name !== 'hits';
  byId('room').hidden = name !== 'room';
  if (name !== 'detail') {
    clearInterval(state.senderTimer);
    state.selected = null;
  }
}

function field(list: HTMLElement, label: string, value: string | undefined): void {
  if (!value) return;
  list.appendChild(el('dt', '', label));
  list.appendChild(el('dd', '', value));
}

function subjectText(subject: Subject): string {
  const parts = TEXT.subjectFields[subject.type as SubjectType] || [];
  return parts
    .filter(([name]) => subject[name] !== undefined)
    .map(([name, label]) => label + ': ' + subject[name])
    .join(' \u00b7 ');
}

/** The alert content shared by the recipient's and the sender's views. */
export function renderContent(alert: Alert): void {
  const t = TEXT.detail;
  const fields = byId('detail-fields');
  fields.textContent = '';
  const distribution = alert.distribution;
  const name = (group: Parameters<typeof displayName>[1], value: string | number | undefined) =>
    displayName(VOCAB, group, value);
  field(fields, t.category, name('category', alert.category));
  field(fields, t.status, name('status', alert.status));
  field(fields, t.urgency, name('urgency', alert.urgency));
  field(fields, t.severity, name('severity', alert.severity));
  field(fields, t.certainty, name('certainty', alert.certainty));
  field(
    fields,
    t.handling,
    name('handling', alert.handlingCode) + (alert.handlingConditions ? ' \u2014 ' + alert.handlingConditions : ''),
  );
  field(
    fields,
    t.evaluation,
    alert.evaluation
      ? name('source', alert.evaluation.source) + '; ' + name('information', alert.evaluation.information)
      : '',
  );
  field(fields, t.scope, distribution ? name('scope', distribution.scope) : '');
  field(
    fields,
    t.location,
    alert.location ? [alert.location.country, alert.location.place].filter(Boolean).join(', ') : '',
  );
  field(fields, t.expires, alert.expiresAt ? when(alert.expiresAt) : '');
  field(
    fields,
    t.addressedTo,
    distribution && distribution.recipients.length ? distribution.recipients.join(', ') : '',
  );
  field(
    fields,
    t.groups,
    distribution && distribution.sharingGroups.length ? distribution.sharingGroups.join(', ') : '',
  );
  field(fields, t.references, alert.references && alert.references.length ? alert.references.join(', ') : '');
  const subjects = byId('detail-subjects');
  subjects.textContent = '';
  for (const subject of alert.subjects || []) {
    const box = el('div', 'subject');
    box.appendChild(el('b', '', displayName(VOCAB, 'subjectType', subject.type) + ' '));
    box.appendChild(document.createTextNode(subjectText(subject)));
    if (subject.canonical) box.appendChild(el('span', 'canonical', t.canonical(subject.canonical)));
    subjects.appendChild(box);
  }
  byId('detail-description').textContent = alert.description || '';
}

/** The title and the line of facts under it (strings or ready elements such as badges). */
export function detailHeader(title: string, metaParts: (string | HTMLElement)[]): void {
  byId('detail-title').textContent = title;
  const meta = byId('detail-meta');
  meta.textContent = '';
  for (const part of metaParts) meta.appendChild(typeof part === 'string' ? el('span', '', part) : part);
  byId('action-errors').textContent = '';
}

export function resetSections(): void {
  for (const id of ['recipients-section', 'ack-section', 'forward-section', 'detail-notice']) byId(id).hidden = true;
  byId('detail-fields').textContent = '';
  byId('detail-subjects').textContent = '';
  byId('detail-description').textContent = '';
  clearErrors(byId('detail'));
  byId('ack-result').textContent = '';
  byId('forward-result').textContent = '';
}

/** The notice above the content (cancelled, erased, a match). */
export function showNotice(text: string): HTMLElement {
  const notice = byId('detail-notice');
  notice.hidden = false;
  notice.textContent = text;
  return notice;
}

/** 410 Gone: the alert's content was erased; what is left is who, when and which version. */
export function showErased(body: ErasedBody | null, as: 'recipient' | 'sender', alertId: string): void {
  const meta: NonNullable<ErasedBody['alert']> = body?.alert ?? {};
  showPane('detail');
  state.selected = { as, alertId: meta.alertId ?? alertId, version: meta.version };
  resetSections();
  detailHeader(TEXT.detail.erasedTitle, [
    el('span', 'kind state-erased', TEXT.list.erased),
    TEXT.list.version(Number(meta.version)),
    as === 'sender' ? TEXT.detail.posted(when(meta.receivedAt)) : TEXT.list.from(String(meta.sender)),
    String(meta.alertId),
  ]);
  showNotice(TEXT.detail.erasedNotice(when(meta.erasedAt)));
}

export function showActionError(answer: ApiAnswer): void {
  byId('action-errors').textContent = answerMessage(answer);
}
