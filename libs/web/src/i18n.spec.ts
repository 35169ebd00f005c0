import {
  ALERT_CATEGORIES,
  ALERT_STATUSES,
  CERTAINTIES,
  DISTRIBUTION_SCOPES,
  HANDLING_CODES,
  INFORMATION_ASSESSMENTS,
  SEVERITIES,
  SOURCE_RELIABILITIES,
  SUBJECT_TYPES,
  TLP_LEVELS,
  URGENCIES,
} from '../../contracts/src/alert/enums';
import { RoutingReason } from '../../contracts/src/policy/routing-reason';
import { catalogueProblems, htmlKeys } from './catalogue-check';
import { chooseLanguage } from './i18n';
import type { Vocabulary } from './vocabulary';
import { VOCABULARY_EN } from './vocabulary-en';
import { VOCABULARY_RU } from './vocabulary-ru';

describe('chooseLanguage', () => {
  it('follows the browser: the first preferred language the pages have', () => {
    expect(chooseLanguage(null, ['ru-RU', 'en-US'])).toBe('ru');
    expect(chooseLanguage(null, ['RU'])).toBe('ru');
    expect(chooseLanguage(null, ['de-DE', 'ru', 'en'])).toBe('ru');
    expect(chooseLanguage(null, ['en-US', 'ru-RU'])).toBe('en');
    expect(chooseLanguage(null, ['kk-KZ', 'uz'])).toBe('en');
    expect(chooseLanguage(null, [])).toBe('en');
  });

  it('lets the switch override the browser, and ignores a stored value it does not know', () => {
    expect(chooseLanguage('en', ['ru-RU'])).toBe('en');
    expect(chooseLanguage('ru', ['en-US'])).toBe('ru');
    expect(chooseLanguage('fr', ['ru-RU'])).toBe('ru');
  });
});

describe('catalogueProblems', () => {
  it('names missing, empty, extra and silent entries', () => {
    const en = { a: 'A', b: { c: 'C', d: (n: number) => 'n=' + n } };
    expect(catalogueProblems(en, { a: 'А', b: { c: 'Ц', d: (n: number) => 'н=' + n } })).toEqual([]);
    expect(catalogueProblems(en, { a: ' ', b: { d: () => '' }, z: 'x' })).toEqual([
      'a: empty',
      'b.c: missing',
      'b.d: takes 0 arguments',
      'z: extra',
    ]);
    expect(catalogueProblems(en, { a: 'А', b: { c: 'Ц', d: (_n: number) => '' } })).toEqual(['b.d: returns no text']);
  });

  it('reads the keys a page asks for', () => {
    const html = '<h1 data-i18n="heading">x</h1><div data-i18n-attr="title:hint aria-label:label"></div>';
    expect(htmlKeys(html).sort()).toEqual(['heading', 'hint', 'label']);
  });
});

describe('vocabulary (display names of the contract enum values)', () => {
  const contract: Partial<Record<keyof Vocabulary, readonly (string | number)[]>> = {
    status: ALERT_STATUSES,
    category: ALERT_CATEGORIES,
    urgency: URGENCIES,
    severity: SEVERITIES,
    certainty: CERTAINTIES,
    tlp: TLP_LEVELS,
    handling: HANDLING_CODES,
    source: SOURCE_RELIABILITIES,
    information: INFORMATION_ASSESSMENTS,
    scope: DISTRIBUTION_SCOPES,
    subjectType: SUBJECT_TYPES,
    reason: Object.values(RoutingReason),
  };

  it.each(Object.entries(contract))('names every %s value the contract knows, in both languages', (group, values) => {
    for (const vocabulary of [VOCABULARY_EN, VOCABULARY_RU]) {
      const names = vocabulary[group as keyof Vocabulary] as Record<string, string>;
      expect(Object.keys(names).sort()).toEqual((values ?? []).map(String).sort());
    }
  });

  it('has no missing or empty name in Russian', () => {
    expect(catalogueProblems(VOCABULARY_EN, VOCABULARY_RU)).toEqual([]);
  });
});
