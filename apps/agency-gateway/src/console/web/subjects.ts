import { all, byId, displayName, el } from '@hub/web';
import { TEXT, VOCAB } from './text';
import type { SubjectType } from './text-en';
import type { Subject } from './types';

/** Adds a row for a subject of the form (empty, or filled with an existing subject's identifiers as written). */
export function addSubjectRow(subject: Subject): HTMLElement {
  const type = subject.type;
  const row = el('div', 'subject-row');
  row.setAttribute('data-type', type);
  const typeName = displayName(VOCAB, 'subjectType', type);
  row.appendChild(el('span', 'type', typeName));
  for (const [name, labelText, inputType] of TEXT.subjectFields[type as SubjectType] || []) {
    const label = el('label', '', labelText);
    const input = el('input');
    input.type = inputType;
    if (inputType === 'number') input.step = 'any';
    input.setAttribute('data-field', name);
    if (subject[name] !== undefined) input.value = String(subject[name]);
    label.appendChild(input);
    label.appendChild(el('span', 'field-error'));
    row.appendChild(label);
  }
  const remove = el('button', '', TEXT.form.remove);
  remove.type = 'button';
  remove.setAttribute('aria-label', TEXT.form.removeSubject(typeName));
  remove.addEventListener('click', () => {
    row.remove();
    renumberSubjects();
  });
  row.appendChild(remove);
  byId('f-subjects').appendChild(row);
  renumberSubjects();
  return row;
}

/** Paths follow the rows' order, so that "subjects[1].number" lands next to the second row's number. */
function renumberSubjects(): void {
  Array.from(byId('f-subjects').children).forEach((row, index) => {
    row.setAttribute('data-error-row', 'subjects[' + index + ']');
    for (const input of all<HTMLInputElement>('input[data-field]', row)) {
      const path = 'subjects[' + index + '].' + input.getAttribute('data-field');
      input.setAttribute('data-path', path);
      input.parentElement?.querySelector('.field-error')?.setAttribute('data-error-for', path);
    }
  });
}

/** The subjects as the API takes them: empty fields left out, numbers as numbers. */
export function subjectsFromForm(): Subject[] {
  return Array.from(byId('f-subjects').children).map((row) => {
    const subject: Subject = { type: row.getAttribute('data-type') ?? '' };
    for (const input of all<HTMLInputElement>('input[data-field]', row)) {
      const value = input.value.trim();
      if (value === '') continue;
      subject[input.getAttribute('data-field') ?? ''] = input.type === 'number' ? Number(value) : value;
    }
    return subject;
  });
}
