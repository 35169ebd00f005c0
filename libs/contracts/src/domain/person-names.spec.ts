import fc from 'fast-check';
import { identifiersOf } from './identifiers';
import { latinName, nameSkeleton, personKey, personNameKey } from './person-names';

/** Real-looking pairs as two agencies would write one person (or two people): [a, b, same person?]. */
const PAIRS: [string, string, boolean][] = [
  // Tajik record in Cyrillic, patronymic and all; the Kazakh post types the passport's Latin line.
  ['Рахимов Фаррух Саидович', 'RAKHIMOV FARRUKH', true],
  ['Рахимов Фаррух Саидович', 'Farrukh Rakhimov', true],
  ['Рахимов Фаррух', 'RAHIMOV FARRUH', true],
  // Older Russian-issued passports: YU/YA where ICAO 9303 gives IU/IA.
  ['Юсупова Дильноза', 'YUSUPOVA DILNOZA', true],
  ['YUSUPOVA DILNOZA', 'IUSUPOVA DILNOZA', true],
  ['Якубов Ильхом', 'YAKUBOV ILKHOM', true],
  ['Якубов Ильхом', 'IAKUBOV ILHOM', true],
  // Й as Y or I; Е as E or YE; -IEV/-IYEV/-IEV.
  ['Сергей Николаевич Смирнов', 'SMIRNOV SERGEY', true],
  ['Алиев Ержан Серикович', 'ALIYEV YERZHAN', true],
  ['Алиев Ержан', 'ALIEV ERZHAN', true],
  // Ж as ZH or J; Tajik Ҷ and Russian ДЖ; Uzbek Latin with Oʻ.
  ['Жураев Жамшид', 'JURAEV JAMSHID', true],
  ['Джураев Джамшид', 'JURAYEV JAMSHID', true],
  ["Jo'rayev Jamshid", 'Ҷӯраев Ҷамшед', false],
  ['Ҷӯраев Ҷамшид', 'JURAEV JAMSHID', true],
  // Kazakh and Kyrgyz letters; a Turkic patronymic ("uly", "uulu", "kyzy") absent on one side.
  ['Қасымов Нұрлан', 'KASYMOV NURLAN', true],
  ['Қасымов Нұрлан Ерланұлы', 'KASYMOV NURLAN', true],
  ['Сейітова Айгүл Ерланқызы', 'SEITOVA AIGUL', true],
  ['Асанов Бакыт Нурлан уулу', 'ASANOV BAKYT', true],
  ['Исмоилова Гулнора Шухрат қизи', 'ISMOILOVA GULNORA', true],
  ["G'ulomov Sardor", 'Ғуломов Сардор', true],
  ['Ҳамидов Шерзод', 'KHAMIDOV SHERZOD', true],
  ['Ҳамидов Шерзод', 'XAMIDOV SHERZOD', true],
  ['Щербаков Пётр', 'SHCHERBAKOV PETR', true],
  ['Щербаков Пётр', 'SHCHERBAKOV PYOTR', true],
  ['Цой Виктор', 'TSOI VIKTOR', true],
  ['Цой Виктор', 'TSOY VIKTOR', true],
  // Different people.
  ['Рахимов Фаррух', 'RAKHIMOV FARHOD', false],
  ['Рахимова Фарида', 'RAKHIMOV FARRUKH', false],
  ['Юсупов Дилшод', 'YUSUPOVA DILNOZA', false],
  ['Смирнов Сергей', 'SMIRNOV SERGEY ANDREEVICH IVANOV', false],
];

describe('person names across alphabets', () => {
  it.each(PAIRS)('%s ~ %s → same person: %s', (a, b, same) => {
    const [ka, kb] = [personNameKey(a), personNameKey(b)];
    expect(ka).not.toBeNull();
    expect(kb).not.toBeNull();
    expect(ka === kb).toBe(same);
  });

  it('needs equal dates of birth: the same name born on another day is another person', () => {
    expect(personKey('Рахимов Фаррух Саидович', '1987-04-12')).toBe(personKey('RAKHIMOV FARRUKH', '1987-04-12'));
    expect(personKey('Рахимов Фаррух Саидович', '1987-04-12')).not.toBe(personKey('RAKHIMOV FARRUKH', '1987-04-21'));
    expect(personKey('RAKHIMOV FARRUKH', undefined)).toBeNull();
    expect(personKey('RAKHIMOV', '1987-04-12')).toBeNull();
  });

  it('transliterates Cyrillic by ICAO Doc 9303', () => {
    expect(latinName('Юсупова Щукина Хабибуллаевна')).toBe('IUSUPOVA SHCHUKINA KHABIBULLAEVNA');
    expect(latinName('Ёлкин Зыков Эдуард Цой Йылдыз')).toBe('ELKIN ZYKOV EDUARD TSOI IYLDYZ');
  });

  it('is a person subject of its own kind only with a date of birth and two names', () => {
    expect(
      identifiersOf([
        { type: 'person', fullName: 'Рахимов Фаррух Саидович', dateOfBirth: '1987-04-12' },
        { type: 'person', fullName: 'Nobody Dobless' },
      ]),
    ).toEqual([{ kind: 'person-name', key: '1987-04-12 FARUh RAhIMOV' }]);
  });

  const word = fc.stringMatching(/^[A-Za-zА-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһҲҳҶҷӢӣӮӯЎў'-]{1,14}$/);

  it('property: a skeleton folds to itself (idempotent)', () => {
    fc.assert(
      fc.property(word, (w) => {
        const once = nameSkeleton(latinName(w).replace(/[^A-Z]/g, ''));
        expect(nameSkeleton(once)).toBe(once);
      }),
    );
  });

  it('property: the order of the words and their case do not matter', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 2, maxLength: 4 }), (words) => {
        const key = personNameKey(words.join(' '));
        expect(personNameKey([...words].reverse().join(' '))).toBe(key);
        expect(personNameKey(words.join(' ').toLowerCase())).toBe(key);
      }),
    );
  });

  it('property: a Cyrillic name matches its own ICAO 9303 Latin line, and with a patronymic added', () => {
    const cyrillic = fc.stringMatching(/^[А-ЯЁ][а-яё]{2,10}$/);
    fc.assert(
      fc.property(cyrillic, cyrillic, (surname, given) => {
        const written = `${surname} ${given}`;
        const key = personNameKey(written);
        expect(personNameKey(latinName(written))).toBe(key);
        expect(personNameKey(`${written} Саидович`)).toBe(key);
      }),
    );
  });
});
