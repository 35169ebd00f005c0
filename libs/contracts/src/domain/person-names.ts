/**
 * Person names across alphabets (docs/decisions/017-persons-across-scripts.md). A Tajik record says «Рахимов Фаррух
 * Саидович», a Kazakh border post types the passport's Latin line RAKHIMOV FARRUKH, an older Russian-issued passport
 * says YUSUPOVA where ICAO Doc 9303 gives IUSUPOVA: all must give the same comparable key. Pure functions.
 *
 * 1. Cyrillic (Russian, Kazakh, Kyrgyz, Tajik, Uzbek letters) is transliterated by ICAO Doc 9303 Part 3 (the letters it
 *    does not list by their national passport practice, see CYRILLIC_TO_LATIN).
 * 2. The Latin text — transliterated or typed — is folded to a skeleton where the spellings of one Cyrillic letter
 *    meet: Ю YU/IU/JU, Я YA/IA/JA, Й Y/I, Х KH/H/X, Ж ZH/J/DZH (Ҷ), Ш SH, Щ SHCH/SCH, Ц TS/TZ/C, Ё E/YO/IO, Е E/YE/IE,
 *    Ғ G/GH/G', Қ K/Q, Ў U/O'; doubled letters are one (FARRUKH/FARUKH).
 * 3. Patronymics (-OVICH, -EVNA, -ULY, -KYZY, …, and the Turkic "uly/kyzy/ogli/qizi/uulu" with the word before them) are left out,
 *    so that a name with one matches the same name without it; the other words are sorted, so the order of surname
 *    and given name does not matter.
 */

/** ICAO Doc 9303 Part 3 (Cyrillic), and for letters it does not list, the national passports' Latin practice. */
const CYRILLIC_TO_LATIN: Readonly<Record<string, string>> = {
  А: 'A',
  Б: 'B',
  В: 'V',
  Г: 'G',
  Д: 'D',
  Е: 'E',
  Ё: 'E',
  Ж: 'ZH',
  З: 'Z',
  И: 'I',
  Й: 'I',
  К: 'K',
  Л: 'L',
  М: 'M',
  Н: 'N',
  О: 'O',
  П: 'P',
  Р: 'R',
  С: 'S',
  Т: 'T',
  У: 'U',
  Ф: 'F',
  Х: 'KH',
  Ц: 'TS',
  Ч: 'CH',
  Ш: 'SH',
  Щ: 'SHCH',
  Ъ: 'IE',
  Ы: 'Y',
  Ь: '',
  Э: 'E',
  Ю: 'IU',
  Я: 'IA',
  // ICAO 9303 also lists these (Ukrainian, Belarusian, Serbian, Macedonian letters).
  Є: 'IE',
  І: 'I',
  Ї: 'I',
  Ґ: 'G',
  Ў: 'U',
  Ј: 'J',
  // Kazakh, Kyrgyz, Tajik, Uzbek letters: as their passports' Latin lines write them.
  Ә: 'A',
  Ғ: 'G',
  Қ: 'K',
  Ң: 'N',
  Ө: 'O',
  Ұ: 'U',
  Ү: 'U',
  Һ: 'H',
  Ҳ: 'H',
  Ҷ: 'J',
  Ӣ: 'I',
  Ӯ: 'U',
};

/** Letters of the Turkic Latin alphabets (Kazakh 2021, Uzbek, Turkmen) that are digraphs in ICAO lines. */
const TURKIC_LATIN: Readonly<Record<string, string>> = { Ş: 'SH', Ç: 'CH', Ž: 'ZH', Š: 'SH', Č: 'CH' };

/** Latin spellings of one sound, longest first, folded to one code (lower case: never confused with a letter left as is). */
const LATIN_FOLDS: readonly [RegExp, string][] = [
  [/SHCH|SCH/g, 'w'],
  [/DZH|DJ|ZH|J/g, 'j'],
  [/KH|X/g, 'h'],
  [/CH/g, 'c'],
  [/SH/g, 'x'],
  [/GH/g, 'G'],
  [/TS|TZ|C/g, 'q'],
  [/H/g, 'h'],
  [/Q/g, 'K'],
  [/W/g, 'V'],
  // Й, Ы, and the Y of YU, YA, YO, YE: I (ICAO writes IU, IA, and I for Й).
  [/Y/g, 'I'],
  // Ё as YO/IO, Е as YE/IE after the step above: E, as ICAO writes both.
  [/IO|IE/g, 'E'],
];

const PATRONYMIC_SUFFIX = /(OVICH|EVICH|ICH|OVNA|EVNA|ICHNA|INICHNA|ULY|KYZY)$/;
/** Turkic patronymics are two words: the father's name and "son of"/"daughter of". */
const PATRONYMIC_MARKERS = new Set(['ULI', 'ULY', 'UULU', 'OGLI', 'OGLU', 'KIZI', 'KYZY', 'QIZI', 'GIZI']);

/** One written name in upper-case Latin: Cyrillic transliterated by ICAO 9303, Uzbek O'/G' read, accents dropped. */
export function latinName(fullName: string): string {
  const upper = fullName.normalize('NFC').toUpperCase();
  let latin = '';
  for (const char of upper) latin += CYRILLIC_TO_LATIN[char] ?? TURKIC_LATIN[char] ?? char;
  return (
    latin
      // Uzbek Latin: Oʻ/O' is Ў (U in ICAO-style lines), Gʻ/G' is Ғ.
      .replace(/O['ʻʼ‘’`]/g, 'U')
      .replace(/G['ʻʼ‘’`]/g, 'G')
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .normalize('NFC')
  );
}

function words(latin: string): string[] {
  return latin.split(/[^A-Z]+/).filter((word) => word.length > 0);
}

/** The words of a name without its patronymic (a -OVICH/-EVNA word, or a Turkic "X uly/kyzy" pair). */
function withoutPatronymic(all: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < all.length; i++) {
    const word = all[i];
    if (PATRONYMIC_MARKERS.has(word)) {
      kept.pop();
      continue;
    }
    if (all.length > 2 && PATRONYMIC_SUFFIX.test(word)) continue;
    kept.push(word);
  }
  return kept;
}

/** One word of a name folded to its skeleton (idempotent: a skeleton folds to itself). */
export function nameSkeleton(word: string): string {
  // Folding can make a new pair (ALIIEV → ALIEV → ALEV, as ICAO's ALIEV): repeated until it stops changing.
  let current = word;
  for (let pass = 0; pass < 8; pass++) {
    let folded = current;
    for (const [pattern, code] of LATIN_FOLDS) folded = folded.replace(pattern, code);
    folded = folded.replace(/(.)\1+/g, '$1');
    if (folded === current) return folded;
    current = folded;
  }
  return current;
}

/**
 * The comparable form of a full name: its words (patronymic left out) as skeletons, sorted, space-separated; null when
 * fewer than two words remain (a single name is too weak to tell agencies "same person").
 */
export function personNameKey(fullName: string): string | null {
  const kept = withoutPatronymic(words(latinName(fullName))).map(nameSkeleton);
  const unique = [...new Set(kept)].filter((word) => word.length > 0).sort();
  return unique.length >= 2 ? unique.join(' ') : null;
}

/** Name and date of birth: the match key of a person without a document. Null without either. */
export function personKey(fullName: string, dateOfBirth: string | undefined | null): string | null {
  if (!dateOfBirth || !/^\d{4}-\d{2}-\d{2}$/.test(dateOfBirth)) return null;
  const name = personNameKey(fullName);
  return name ? `${dateOfBirth} ${name}` : null;
}
