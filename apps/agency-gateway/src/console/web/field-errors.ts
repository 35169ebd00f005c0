import { all, byId, errorBody, language, type ApiAnswer } from '@hub/web';
import { fieldErrorText } from './field-error-texts';
import { TEXT } from './text';

/** Empties the error slots under `scope` and the page's error summaries. */
export function clearErrors(scope: ParentNode): void {
  for (const node of all('.field-error', scope)) node.textContent = '';
  for (const node of all('[aria-invalid]', scope)) node.removeAttribute('aria-invalid');
  byId('form-errors').textContent = '';
  byId('action-errors').textContent = '';
}

/** The error slot for a path, or for its nearest parent ("subjects[0].number" → "subjects[0]" → "subjects"). */
function errorSlot(scope: ParentNode, path: string): { slot: Element; path: string } | null {
  let candidate = path;
  while (candidate) {
    const slot = scope.querySelector('[data-error-for="' + cssEscape(candidate) + '"]');
    if (slot) return { slot, path: candidate };
    const cut = Math.max(candidate.lastIndexOf('.'), candidate.lastIndexOf('['));
    candidate = cut > 0 ? candidate.slice(0, cut) : '';
  }
  return null;
}

function cssEscape(text: string): string {
  return text.replace(/["\\]/g, '\\$&');
}

/**
 * What went wrong with a request: in English the API's own message; in another language the translation of its
 * error code (the API writes English only), else its status.
 */
export function answerMessage(answer: ApiAnswer): string {
  const body = errorBody(answer);
  const translated = body.error ? (TEXT.errorCodes as Record<string, string>)[body.error] : undefined;
  const message = language === 'en' ? body.message || translated : translated || body.message;
  return message || TEXT.errors.httpStatus(answer.status);
}

/** Puts each of the API's field errors next to its field; what has no field goes into `fallback`. */
export function showErrors(scope: ParentNode, answer: ApiAnswer, fallback: HTMLElement): void {
  const details = errorBody(answer).details || [];
  const unplaced: string[] = [];
  for (const detail of details) {
    const message = fieldErrorText(TEXT.fieldErrors, detail.message);
    const found = errorSlot(scope, detail.path);
    if (!found) {
      unplaced.push((detail.path ? detail.path + ': ' : '') + message);
      continue;
    }
    const prefix = found.path === detail.path ? '' : detail.path.slice(found.path.length).replace(/^\./, '') + ': ';
    found.slot.textContent = (found.slot.textContent ? found.slot.textContent + ' ' : '') + prefix + message;
    const input = scope.querySelector('[data-path="' + cssEscape(found.path) + '"]');
    if (input) input.setAttribute('aria-invalid', 'true');
  }
  fallback.textContent = answerMessage(answer) + (unplaced.length ? ' \u2014 ' + unplaced.join('; ') : '');
  const first = scope.querySelector<HTMLElement>('[aria-invalid="true"]');
  if (first && first.focus) first.focus();
}
