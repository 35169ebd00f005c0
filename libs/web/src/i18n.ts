/**
 * The pages' languages: which one a visitor gets, the switch that overrides it, the static texts of the HTML and the
 * locale-aware formats. Each page keeps its own catalogue (one object per language, typed by the English one, so a
 * missing key is a type error); this module only knows how to choose one and put it on the page.
 */
import { all } from './dom';
import { displayName, type Vocabulary, type VocabularyGroup } from './vocabulary';

export const LANGUAGES = ['en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];

/** How each language names itself in the switch. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', ru: 'Русский' };

/** BCP 47 locales for Intl: dates and numbers as a reader of that language expects them. */
const LOCALES: Record<Language, string> = { en: 'en-GB', ru: 'ru-RU' };

export const LANGUAGE_STORAGE = 'hub.language';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The language to show: the one chosen with the switch if any, else the first of the browser's preferred
 * languages we have (ru-RU → ru), else English.
 */
export function chooseLanguage(stored: string | null, preferred: readonly string[]): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split('-')[0];
    if (isLanguage(primary)) return primary;
  }
  return 'en';
}

function readStored(): string | null {
  try {
    return localStorage.getItem(LANGUAGE_STORAGE);
  } catch {
    return null; // storage disabled: the browser's preference decides
  }
}

/** The language of this page view, decided once at load. */
export const language: Language = chooseLanguage(
  readStored(),
  typeof navigator === 'undefined' ? [] : navigator.languages || [navigator.language],
);

export const locale = LOCALES[language];

/** Picks this page view's catalogue. */
export function pick<T>(catalogues: Record<Language, T>): T {
  return catalogues[language];
}

/**
 * Fills the static texts: `data-i18n="key"` sets an element's text, `data-i18n-attr="title:key aria-label:key2"`
 * sets attributes, `data-vocab="group:value"` writes an enum value's display name and `data-vocab-options="group"`
 * names a select's options (their values, the wire values, stay). An unknown key is a fault of the page, reported
 * by name (the unit specs also check the HTML against the catalogues).
 */
export function translateStatic(
  html: Readonly<Record<string, string>>,
  vocabulary: Vocabulary,
  root: ParentNode = document,
): void {
  const text = (key: string) => {
    const value = html[key];
    if (value === undefined) throw new Error(`no text for data-i18n key "${key}"`);
    return value;
  };
  for (const node of all('[data-i18n]', root)) node.textContent = text(node.getAttribute('data-i18n') ?? '');
  for (const node of all('[data-i18n-attr]', root))
    for (const pair of (node.getAttribute('data-i18n-attr') ?? '').split(/\s+/).filter(Boolean)) {
      const [attribute, key] = pair.split(':');
      node.setAttribute(attribute, text(key));
    }
  for (const node of all('[data-vocab]', root)) {
    const [group, value] = (node.getAttribute('data-vocab') ?? '').split(':');
    node.textContent = displayName(vocabulary, group as VocabularyGroup, value);
  }
  for (const select of all<HTMLSelectElement>('select[data-vocab-options]', root))
    nameOptions(select, vocabulary[select.getAttribute('data-vocab-options') as VocabularyGroup]);
  document.documentElement.lang = language;
}

/** Gives option elements of `select` display names from `names`; their values (the wire values) stay. */
export function nameOptions(select: HTMLSelectElement, names: Readonly<Record<string, string>>): void {
  for (const option of Array.from(select.options)) option.textContent = names[option.value] ?? option.value;
}

/**
 * The language switch: a select in the header; a choice is remembered in localStorage and the page reloads in it
 * (the signed-in key is in session storage, so the officer stays signed in).
 */
export function wireLanguageSwitch(select: HTMLSelectElement): void {
  select.textContent = '';
  for (const code of LANGUAGES) {
    const option = document.createElement('option');
    option.value = code;
    option.lang = code;
    option.textContent = LANGUAGE_NAMES[code];
    select.appendChild(option);
  }
  select.value = language;
  select.addEventListener('change', () => {
    if (!isLanguage(select.value)) return;
    try {
      localStorage.setItem(LANGUAGE_STORAGE, select.value);
    } catch {
      /* not remembered; this view still switches */
    }
    location.reload();
  });
}

const numberFormat = new Intl.NumberFormat(locale);

/** A count in the page's language (1 234 in Russian, 1,234 in English). */
export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

/** A date and time in the page's language, in the browser's zone; '' for a missing or bad one. */
export function formatDateTime(iso: string | undefined, options: Intl.DateTimeFormatOptions): string {
  const date = new Date(iso ?? '');
  if (isNaN(date.getTime())) return '';
  return date.toLocaleString(locale, options);
}

/** Russian plural forms: one (1, 21), few (2–4, 22–24), many (5–20, 25–30). */
export function pluralRu(count: number, one: string, few: string, many: string): string {
  const rule = new Intl.PluralRules('ru-RU').select(count);
  return rule === 'one' ? one : rule === 'few' ? few : many;
}
