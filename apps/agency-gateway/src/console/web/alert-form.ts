import { all, byId } from '@hub/web';
import { checkedValues, setChecked } from './choices';
import { showPane } from './detail';
import { clearErrors, showErrors } from './field-errors';
import { openSent } from './sender-view';
import { refreshSent, selectTab } from './sent';
import { alertPath, api, newIdempotencyKey, state } from './state';
import { addSubjectRow, subjectsFromForm } from './subjects';
import { TEXT } from './text';
import type { Alert } from './types';

/** The alert form's own state: a new alert (with its idempotency key) or a new version of one. */
const form = {
  mode: 'new' as 'new' | 'update',
  alertId: null as string | null,
  baseVersion: null as number | null,
  idempotencyKey: null as string | null,
};

/** A form control by id: an input, a select or a text area (all read and set through `value`). */
const input = (id: string) => byId<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(id);

function radioValue(name: string): string | undefined {
  const checked = document.querySelector<HTMLInputElement>('input[name="' + name + '"]:checked');
  return checked ? checked.value : undefined;
}

function setRadio(name: string, value: string): void {
  for (const box of all<HTMLInputElement>('input[name="' + name + '"]')) box.checked = box.value === value;
}

function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (isNaN(d.getTime())) return '';
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 16);
}

/** H3 asks for its conditions; a regional alert has no recipients or groups to choose. */
function syncFormState(): void {
  byId('conditions-label').hidden = input('f-handling').value !== 'H3';
  const regional = radioValue('scope') === 'regional';
  for (const id of ['f-recipients', 'f-groups']) {
    const box = byId(id);
    box.setAttribute('aria-disabled', String(regional));
    for (const choice of all<HTMLInputElement>('input', box)) choice.disabled = regional;
  }
}

/** Opens the form empty (a new alert) or filled with an alert's current version (an update). */
export function openForm(
  mode: 'new' | 'update',
  alertId: string | null,
  baseVersion: number | null,
  alert: Alert | null,
) {
  showPane('form');
  const element = byId<HTMLFormElement>('alert-form');
  element.reset();
  clearErrors(element);
  byId('f-subjects').textContent = '';
  form.mode = mode;
  form.alertId = alertId;
  form.baseVersion = baseVersion;
  form.idempotencyKey = newIdempotencyKey();
  byId('form-title').textContent =
    mode === 'update' && alert ? TEXT.form.newVersionOf(alert.headline, Number(baseVersion)) : TEXT.form.newAlert;
  byId('form-submit').textContent = mode === 'update' ? TEXT.form.postNewVersion : TEXT.form.postAlert;
  byId('form-result').textContent = '';
  input('f-country').value = state.directory ? state.directory.self.country : '';
  if (alert) fillForm(alert);
  syncFormState();
  byId('form-title').focus();
}

function fillForm(alert: Alert): void {
  for (const name of ['status', 'category', 'urgency', 'severity', 'certainty', 'headline', 'description'] as const)
    input('f-' + name).value = alert[name] || '';
  setRadio('tlp', alert.tlp);
  input('f-handling').value = alert.handlingCode;
  input('f-conditions').value = alert.handlingConditions || '';
  input('f-source').value = alert.evaluation.source;
  input('f-information').value = String(alert.evaluation.information);
  setRadio('scope', alert.distribution.scope);
  setChecked(byId('f-recipients'), alert.distribution.recipients);
  setChecked(byId('f-groups'), alert.distribution.sharingGroups);
  input('f-country').value = alert.location.country;
  input('f-place').value = alert.location.place || '';
  input('f-lat').value = alert.location.lat === undefined ? '' : String(alert.location.lat);
  input('f-lon').value = alert.location.lon === undefined ? '' : String(alert.location.lon);
  input('f-expires').value = alert.expiresAt ? toLocalInput(alert.expiresAt) : '';
  input('f-references').value = (alert.references || []).join(' ');
  // The hub stamps `canonical`; the form sends the identifiers as written only.
  for (const subject of alert.subjects || []) addSubjectRow(subject);
}

/** The request body, as the contract names the fields (the API's errors point at these paths). */
function bodyFromForm(): Record<string, unknown> {
  const location: Record<string, unknown> = { country: input('f-country').value.trim().toUpperCase() };
  const place = input('f-place').value.trim();
  if (place) location.place = place;
  if (input('f-lat').value !== '') location.lat = Number(input('f-lat').value);
  if (input('f-lon').value !== '') location.lon = Number(input('f-lon').value);
  const scope = radioValue('scope');
  const handlingCode = input('f-handling').value;
  const body: Record<string, unknown> = {
    status: input('f-status').value,
    category: input('f-category').value,
    urgency: input('f-urgency').value,
    severity: input('f-severity').value,
    certainty: input('f-certainty').value,
    headline: input('f-headline').value.trim(),
    tlp: radioValue('tlp'),
    handlingCode,
    evaluation: { source: input('f-source').value, information: Number(input('f-information').value) },
    distribution:
      scope === 'regional'
        ? { scope }
        : { scope, recipients: checkedValues(byId('f-recipients')), sharingGroups: checkedValues(byId('f-groups')) },
    location,
    subjects: subjectsFromForm(),
  };
  const description = input('f-description').value.trim();
  if (description) body.description = description;
  if (handlingCode === 'H3') body.handlingConditions = input('f-conditions').value.trim();
  const expires = input('f-expires').value;
  if (expires) body.expiresAt = new Date(expires).toISOString();
  const references = input('f-references')
    .value.split(/[\s,]+/)
    .filter(Boolean);
  if (references.length) body.references = references;
  if (form.mode === 'update') body.baseVersion = form.baseVersion;
  return body;
}

async function submit(): Promise<void> {
  const element = byId<HTMLFormElement>('alert-form');
  clearErrors(element);
  const body = bodyFromForm();
  const update = form.mode === 'update';
  const path = update ? alertPath(String(form.alertId), '/versions') : '/v1/alerts';
  const submitButton = byId<HTMLButtonElement>('form-submit');
  submitButton.disabled = true;
  try {
    const headers: Record<string, string> = update ? {} : { 'Idempotency-Key': String(form.idempotencyKey) };
    const answer = await api.request<{ alertId: string }>('POST', path, body, headers);
    submitButton.disabled = false;
    if (answer.status === 202) {
      const alertId = answer.body.alertId;
      form.idempotencyKey = newIdempotencyKey();
      await refreshSent();
      selectTab('sent');
      openSent(alertId, true);
      return;
    }
    showErrors(element, answer, byId('form-errors'));
  } catch {
    submitButton.disabled = false;
  }
}

export function wireAlertForm(): void {
  byId('alert-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  byId('new-alert').addEventListener('click', () => openForm('new', null, null, null));
  byId('form-cancel').addEventListener('click', () => showPane('placeholder'));
  byId('add-subject').addEventListener('click', () => {
    const row = addSubjectRow({ type: input('subject-type').value });
    row.querySelector('input')?.focus();
  });
  byId('f-handling').addEventListener('change', syncFormState);
  for (const box of all('input[name="scope"]')) box.addEventListener('change', syncFormState);
}
