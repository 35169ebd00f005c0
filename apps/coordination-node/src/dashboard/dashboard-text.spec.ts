import * as fs from 'node:fs';
import * as path from 'node:path';
import { catalogueProblems, htmlKeys } from '../../../../libs/web/src/catalogue-check';
import { TEXT_EN } from './web/text-en';
import { TEXT_RU } from './web/text-ru';

describe('the dashboard catalogues (en, ru)', () => {
  it('has no key missing or empty in Russian', () => {
    expect(catalogueProblems(TEXT_EN, TEXT_RU)).toEqual([]);
  });

  it('has a text for every data-i18n key of index.html, and no unused one', () => {
    const html = fs.readFileSync(path.join(__dirname, 'assets', 'index.html'), 'utf8');
    const keys = htmlKeys(html).sort();
    expect(keys.length).toBeGreaterThan(30);
    expect(Object.keys(TEXT_EN.html).sort()).toEqual(keys);
  });

  it('writes ages and counts of notices in Russian with the right forms', () => {
    expect(TEXT_RU.age(42)).toBe('42\u00a0с');
    expect(TEXT_RU.age(3 * 3600 + 600)).toBe('3\u00a0ч 10\u00a0мин');
    expect(TEXT_RU.correlations.notices(1)).toBe(' (1 уведомление)');
    expect(TEXT_RU.correlations.notices(3)).toBe(' (3 уведомления)');
    expect(TEXT_RU.correlations.notices(11)).toBe(' (11 уведомлений)');
    expect(TEXT_RU.correlations.notices(21)).toBe(' (21 уведомление)');
  });
});
