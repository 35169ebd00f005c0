/**
 * The dashboard's texts in the language of this page view (libs/web/src/i18n.ts chooses it): every text the script
 * writes, the static texts of index.html, and the display names of the contract's enum values.
 */
import { pick, VOCABULARY_EN, VOCABULARY_RU } from '@hub/web';
import { TEXT_EN } from './text-en';
import { TEXT_RU } from './text-ru';

export const TEXT = pick({ en: TEXT_EN, ru: TEXT_RU });
export const VOCAB = pick({ en: VOCABULARY_EN, ru: VOCABULARY_RU });
