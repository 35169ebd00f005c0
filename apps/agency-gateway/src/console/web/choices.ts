import { all, byId, el } from '@hub/web';
import { directory } from './state';
import { TEXT } from './text';

/** The values of the ticked checkboxes in `container`. */
export function checkedValues(container: HTMLElement): string[] {
  return all<HTMLInputElement>('input[type="checkbox"]:checked', container).map((box) => box.value);
}

/** Ticks exactly the checkboxes whose value is in `values`. */
export function setChecked(container: HTMLElement, values: readonly string[]): void {
  for (const box of all<HTMLInputElement>('input[type="checkbox"]', container))
    box.checked = values.includes(box.value);
}

function checkbox(name: string, value: string, title: string, text: string): HTMLLabelElement {
  const label = el('label');
  const box = el('input');
  box.type = 'checkbox';
  box.name = name;
  box.value = value;
  label.title = title;
  label.appendChild(box);
  label.appendChild(document.createTextNode(text));
  return label;
}

/** One checkbox per agency the hub knows, but those in `exclude`. */
export function fillAgencyChoices(container: HTMLElement, name: string, exclude: readonly string[]): void {
  container.textContent = '';
  for (const agency of directory().agencies) {
    if (exclude.includes(agency.id)) continue;
    container.appendChild(checkbox(name, agency.id, agency.name, TEXT.signIn.agencyName(agency.id, agency.name)));
  }
}

/** The alert form's recipients and sharing groups, from the directory loaded at sign-in. */
export function fillChoices(): void {
  fillAgencyChoices(byId('f-recipients'), 'recipient', []);
  const groups = byId('f-groups');
  groups.textContent = '';
  for (const group of directory().sharingGroups)
    groups.appendChild(checkbox('group', group.id, group.name + ': ' + group.members.join(', '), group.id));
  if (directory().sharingGroups.length === 0) groups.appendChild(el('span', 'muted', TEXT.form.noGroups));
}
