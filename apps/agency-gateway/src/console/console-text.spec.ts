import * as fs from 'node:fs';
import * as path from 'node:path';
import { catalogueProblems, htmlKeys } from '../../../../libs/web/src/catalogue-check';
import { fieldErrorText } from './web/field-error-texts';
import { TEXT_EN } from './web/text-en';
import { TEXT_RU } from './web/text-ru';

describe('the console catalogues (en, ru)', () => {
  it('has no key missing or empty in Russian', () => {
    expect(catalogueProblems(TEXT_EN, TEXT_RU)).toEqual([]);
  });

  it('has a text for every data-i18n key of index.html, and no unused one', () => {
    const html = fs.readFileSync(path.join(__dirname, 'assets', 'index.html'), 'utf8');
    const keys = htmlKeys(html).sort();
    expect(keys.length).toBeGreaterThan(40);
    expect(Object.keys(TEXT_EN.html).sort()).toEqual(keys);
  });

  it('keeps the subject fields and input types the same in both languages (only the labels differ)', () => {
    const shape = (fields: typeof TEXT_EN.subjectFields) =>
      Object.entries(fields).map(([type, list]) => [type, list.map(([field, , input]) => field + ':' + input)]);
    expect(shape(TEXT_RU.subjectFields)).toEqual(shape(TEXT_EN.subjectFields));
  });
});

describe('fieldErrorText (the API writes English; the page shows the field error in its language)', () => {
  it.each([
    ['is required', 'обязательное поле'],
    [
      'container number check digit is wrong (expected 3)',
      'неверная контрольная цифра номера контейнера (ожидается 3)',
    ],
    ['IMO number check digit is wrong (expected 9)', 'неверная контрольная цифра номера ИМО (ожидается 9)'],
    ['must be 1 to 160 characters long', 'длина должна быть от 1 до 160 символов'],
    ['must be one of: immediate, expected', 'допустимые значения: immediate, expected'],
    ['must be restricted for TLP RED', 'для TLP:RED рассылка должна быть ограниченной'],
    ['is not a known agency', 'неизвестное ведомство'],
    ['expiresAt must be in the future', 'должно быть в будущем'],
  ])('%s → %s', (api, russian) => {
    expect(fieldErrorText(TEXT_RU.fieldErrors, api)).toBe(russian);
  });

  it('gives back the API’s own English in English, for every pattern it knows', () => {
    for (const api of [
      'is required',
      'container number check digit is wrong (expected 3)',
      'must be 1 to 160 characters long',
      'must be restricted for TLP AMBER+STRICT',
      'restricted scope needs at least one recipient or sharing group',
    ])
      expect(fieldErrorText(TEXT_EN.fieldErrors, api)).toBe(api);
  });

  it('shows a message it does not know as the API wrote it', () => {
    expect(fieldErrorText(TEXT_RU.fieldErrors, 'a brand new rule')).toBe('a brand new rule');
  });
});
