import fc from 'fast-check';
import {
  canonicalToken,
  documentKey,
  identifiersOf,
  normaliseContainerNumber,
  normaliseDocumentNumber,
  normaliseImo,
  normalisePhone,
  normalisePlate,
  plateKey,
} from './identifiers';

describe('identifier normalisers', () => {
  describe('vehicle plates', () => {
    it.each([
      ['01 KG 123 ABC', '01KG123ABC'],
      ['01-kg-123.abc', '01KG123ABC'],
      ['  a 123 bc ', 'A123BC'],
      // Cyrillic А, В, С typed on a Russian keyboard are the Latin plate letters.
      ['А 123 ВС', 'A123BC'],
      ['０１ＫＧ１２３', '01KG123'],
    ])('%j → %j', (input, expected) => {
      expect(normalisePlate(input)).toBe(expected);
    });

    it('keeps the registration country in the key: the same characters in two countries are two vehicles', () => {
      expect(plateKey('01 KG 123 ABC', 'kg')).toBe('KG:01KG123ABC');
      expect(plateKey('01 KG 123 ABC', 'KG')).not.toBe(plateKey('01 KG 123 ABC', 'KZ'));
    });
  });

  describe('ISO 6346 containers', () => {
    it.each([
      ['CSQU3054383', 'CSQU3054383'],
      ['csqu 305438 3', 'CSQU3054383'],
      ['CSQU-305438-3', 'CSQU3054383'],
    ])('%j → %j', (input, expected) => {
      expect(normaliseContainerNumber(input)).toBe(expected);
    });
  });

  describe('person documents', () => {
    it('normalises the number and keys it by issuing state', () => {
      expect(normaliseDocumentNumber('ab 12-34.567')).toBe('AB1234567');
      expect(documentKey('ab 1234567', 'tj')).toBe('TJ:AB1234567');
      expect(documentKey('AB1234567', 'TJ')).not.toBe(documentKey('AB1234567', 'UZ'));
    });
  });

  describe('E.164 phones', () => {
    it.each([
      ['+992 (37) 221-23-45', '+992372212345'],
      ['+992.37.221.23.45', '+992372212345'],
      ['00992372212345', '+992372212345'],
      ['+992372212345', '+992372212345'],
    ])('%j → %j', (input, expected) => {
      expect(normalisePhone(input)).toBe(expected);
    });
  });

  describe('IMO numbers', () => {
    it.each([
      ['IMO 9074729', 'IMO9074729'],
      ['imo9074729', 'IMO9074729'],
      ['IMO9074729', 'IMO9074729'],
      ['9074729', 'IMO9074729'],
    ])('%j → %j', (input, expected) => {
      expect(normaliseImo(input)).toBe(expected);
    });
  });

  describe('identifiersOf', () => {
    it('extracts one key per identifying subject and skips those that identify nothing', () => {
      const identifiers = identifiersOf([
        { type: 'container', number: 'CSQU3054383' },
        { type: 'vehicle', plate: '01 KG 123 ABC', registrationCountry: 'KG', vin: 'WDB9634031L123456' },
        { type: 'person', fullName: 'Ivan Petrov', documentNumber: 'AB 1234567', documentCountry: 'TJ' },
        { type: 'person', fullName: 'No Document' },
        { type: 'person', fullName: 'Nationality Only', documentNumber: 'N123', nationality: 'UZ' },
        { type: 'phone', number: '+992372212345' },
        { type: 'vessel', imo: 'IMO 9074729' },
        { type: 'consignment', substance: 'heroin', quantityKg: 12 },
      ]);
      expect(identifiers).toEqual([
        { kind: 'container', key: 'CSQU3054383' },
        { kind: 'person-document', key: 'TJ:AB1234567' },
        { kind: 'person-document', key: 'UZ:N123' },
        { kind: 'phone', key: '+992372212345' },
        { kind: 'vehicle-plate', key: 'KG:01KG123ABC' },
        { kind: 'vehicle-vin', key: 'WDB9634031L123456' },
        { kind: 'vessel-imo', key: 'IMO9074729' },
      ]);
    });

    it('lists an identifier once even when two subjects spell it differently', () => {
      expect(
        identifiersOf([
          { type: 'container', number: 'CSQU3054383' },
          { type: 'container', number: 'csqu 305438-3' },
        ]),
      ).toEqual([{ kind: 'container', key: 'CSQU3054383' }]);
    });

    it('ignores malformed entries instead of throwing (matching must never block routing)', () => {
      expect(
        identifiersOf([
          null,
          7,
          'x',
          { type: 'container' },
          { type: 'vehicle', plate: 5 },
          { type: 'unknown', number: 'x' },
        ]),
      ).toEqual([]);
      expect(identifiersOf(undefined)).toEqual([]);
    });
  });
});

describe('identifier normalisers (properties)', () => {
  const normalisers: [string, (value: string) => string][] = [
    ['canonicalToken', canonicalToken],
    ['normalisePlate', normalisePlate],
    ['normaliseContainerNumber', normaliseContainerNumber],
    ['normaliseDocumentNumber', normaliseDocumentNumber],
    ['normalisePhone', normalisePhone],
    ['normaliseImo', normaliseImo],
  ];

  it.each(normalisers)('%s is idempotent on any Unicode input', (_name, normalise) => {
    fc.assert(
      fc.property(fc.fullUnicodeString({ maxLength: 40 }), (raw) => {
        const once = normalise(raw);
        expect(normalise(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  const plateCharacter = fc.constantFrom(...'ABCEHKMOPTXY0123456789'.split(''));
  const separator = fc.constantFrom(' ', '-', '.', '', '  ');

  it('a plate matches however it is spaced, dotted, dashed or cased', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(plateCharacter, separator), { minLength: 1, maxLength: 10 }),
        fc.boolean(),
        (parts, lower) => {
          const plain = parts.map(([c]) => c).join('');
          const written = parts.map(([c, s]) => (lower ? c.toLowerCase() : c) + s).join('');
          expect(normalisePlate(written)).toBe(plain);
        },
      ),
    );
  });

  it('a phone number matches however its digits are grouped', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.constantFrom(' ', '-', '(', ')', '.', '')), {
          minLength: 8,
          maxLength: 14,
        }),
        (parts) => {
          const digits = `+9${parts.map(([d]) => d).join('')}`;
          const written = `+9${parts.map(([d, s]) => `${d}${s}`).join('')}`;
          expect(normalisePhone(written)).toBe(digits);
        },
      ),
    );
  });

  it('identifiersOf gives the same keys for already-normalised subjects (keys are fixed points)', () => {
    const subject = fc.oneof(
      fc.record({ type: fc.constant('container'), number: fc.string({ minLength: 1, maxLength: 15 }) }),
      fc.record({
        type: fc.constant('vehicle'),
        plate: fc.string({ minLength: 1, maxLength: 12 }),
        registrationCountry: fc.constantFrom('KG', 'tj', 'KZ'),
      }),
      fc.record({ type: fc.constant('phone'), number: fc.string({ minLength: 1, maxLength: 16 }) }),
      fc.record({ type: fc.constant('vessel'), imo: fc.string({ minLength: 1, maxLength: 12 }) }),
    );
    fc.assert(
      fc.property(fc.array(subject, { maxLength: 6 }), (subjects) => {
        const keys = identifiersOf(subjects);
        const renormalised = identifiersOf(
          keys.map((id) => {
            switch (id.kind) {
              case 'container':
                return { type: 'container', number: id.key };
              case 'vehicle-plate':
                return {
                  type: 'vehicle',
                  plate: id.key.slice(id.key.indexOf(':') + 1),
                  registrationCountry: id.key.slice(0, id.key.indexOf(':')),
                };
              case 'phone':
                return { type: 'phone', number: id.key };
              default:
                return { type: 'vessel', imo: id.key };
            }
          }),
        );
        expect(renormalised).toEqual(keys);
      }),
    );
  });
});
