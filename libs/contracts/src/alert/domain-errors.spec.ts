import { plainToInstance } from 'class-transformer';
import { minimalPlainAlert, PlainAlert, validPlainAlert } from './alert.fixtures';
import { AlertContent } from './alert-content';
import { distributionRuleErrors, domainErrors } from './domain-errors';
import { TlpLevel } from './enums';

const NOW = new Date('2025-05-01T10:00:00Z');

function content(
  change: (alert: PlainAlert) => void = () => undefined,
  base: () => PlainAlert = validPlainAlert,
): AlertContent {
  const plain = base();
  change(plain);
  return plainToInstance(AlertContent, plain);
}

describe('domainErrors', () => {
  it('finds nothing wrong with the valid fixtures', () => {
    expect(domainErrors(content(), NOW)).toEqual([]);
    expect(domainErrors(content(undefined, minimalPlainAlert), NOW)).toEqual([]);
  });

  describe('expiresAt', () => {
    it.each(['person', 'vehicle'])('is required when a %s is among the subjects', (type) => {
      const subject =
        type === 'person' ? { type, fullName: 'A B' } : { type, plate: 'AB 1', registrationCountry: 'KG' };
      const alert = content((plain) => {
        plain.subjects = [{ type: 'container', number: 'CSQU3054383' }, subject];
        delete plain.expiresAt;
      });
      expect(domainErrors(alert, NOW)).toEqual([
        { path: 'expiresAt', message: 'is required when subjects include a person or a vehicle' },
      ]);
    });

    it('is optional when no person or vehicle is among the subjects', () => {
      const alert = content((plain) => {
        plain.subjects = [
          { type: 'container', number: 'CSQU3054383' },
          { type: 'vessel', imo: 'IMO 9074729' },
        ];
        delete plain.expiresAt;
      });
      expect(domainErrors(alert, NOW)).toEqual([]);
    });

    it.each([
      ['a year ago', '2024-05-01T10:00:00Z'],
      ['exactly now', '2025-05-01T10:00:00Z'],
      ['now, written in another offset', '2025-05-01T15:00:00+05:00'],
    ])('must be in the future: rejects %s', (_case, expiresAt) => {
      expect(
        domainErrors(
          content((plain) => (plain.expiresAt = expiresAt)),
          NOW,
        ),
      ).toEqual([{ path: 'expiresAt', message: 'must be in the future' }]);
    });

    it('accepts one millisecond after now, also when no subject needs it', () => {
      expect(
        domainErrors(
          content((plain) => (plain.expiresAt = '2025-05-01T10:00:00.001Z')),
          NOW,
        ),
      ).toEqual([]);
      expect(
        domainErrors(
          content((plain) => (plain.expiresAt = '2025-05-01T10:00:00.001Z'), minimalPlainAlert),
          NOW,
        ),
      ).toEqual([]);
    });

    it('judges against the given now, not the clock', () => {
      const alert = content((plain) => (plain.expiresAt = '2030-06-01T12:00:00Z'));
      expect(domainErrors(alert, new Date('2031-01-01T00:00:00Z'))).toEqual([
        { path: 'expiresAt', message: 'must be in the future' },
      ]);
    });
  });

  describe('handlingConditions', () => {
    it('are required with H3', () => {
      expect(
        domainErrors(
          content((plain) => (plain.handlingCode = 'H3')),
          NOW,
        ),
      ).toEqual([{ path: 'handlingConditions', message: 'is required when handlingCode is H3' }]);
    });

    it('are accepted with H3', () => {
      const alert = content((plain) => {
        plain.handlingCode = 'H3';
        plain.handlingConditions = 'Not to be used as evidence without written consent.';
      });
      expect(domainErrors(alert, NOW)).toEqual([]);
    });

    it.each(['H0', 'H1', 'H2'])('are refused with %s', (handlingCode) => {
      const alert = content((plain) => {
        plain.handlingCode = handlingCode;
        plain.handlingConditions = 'Some conditions';
      });
      expect(domainErrors(alert, NOW)).toEqual([
        { path: 'handlingConditions', message: 'is only allowed with handlingCode H3' },
      ]);
    });
  });

  it('rejects a date of birth after now, naming the subject', () => {
    const alert = content((plain) =>
      plain.subjects.push({ type: 'person', fullName: 'Unborn', dateOfBirth: '2025-05-02' }),
    );
    expect(domainErrors(alert, NOW)).toEqual([
      { path: 'subjects[6].dateOfBirth', message: 'must not be in the future' },
    ]);
  });

  it('includes the TLP and scope rules', () => {
    const alert = content((plain) => {
      plain.tlp = 'RED';
      plain.distribution.scope = 'regional';
      plain.distribution.recipients = [];
      plain.distribution.sharingGroups = [];
    });
    expect(domainErrors(alert, NOW)).toEqual([
      { path: 'distribution.scope', message: 'must be restricted for TLP RED' },
    ]);
  });
});

describe('distributionRuleErrors', () => {
  type Case = [string, TlpLevel, 'regional' | 'restricted', string[], string[], string[]];
  const cases: Case[] = [
    ['RED to named recipients', 'RED', 'restricted', ['KG-BS'], [], []],
    ['RED regional', 'RED', 'regional', [], [], ['distribution.scope']],
    [
      'RED regional with recipients',
      'RED',
      'regional',
      ['KG-BS'],
      [],
      ['distribution.scope', 'distribution.recipients'],
    ],
    ['RED without recipients', 'RED', 'restricted', [], [], ['distribution.recipients']],
    [
      'RED via a group only',
      'RED',
      'restricted',
      [],
      ['g1'],
      ['distribution.recipients', 'distribution.sharingGroups'],
    ],
    ['RED with recipients and a group', 'RED', 'restricted', ['KG-BS'], ['g1'], ['distribution.sharingGroups']],
    ['AMBER+STRICT to named recipients', 'AMBER+STRICT', 'restricted', ['KG-BS'], [], []],
    ['AMBER+STRICT regional', 'AMBER+STRICT', 'regional', [], [], ['distribution.scope']],
    ['AMBER+STRICT without recipients', 'AMBER+STRICT', 'restricted', [], [], ['distribution.recipients']],
    ['AMBER+STRICT with a group', 'AMBER+STRICT', 'restricted', ['KG-BS'], ['g1'], ['distribution.sharingGroups']],
    ['AMBER via a group only', 'AMBER', 'restricted', [], ['g1'], []],
    ['AMBER to recipients and groups', 'AMBER', 'restricted', ['KG-BS'], ['g1'], []],
    ['AMBER regional', 'AMBER', 'regional', [], [], []],
    ['GREEN restricted to nobody', 'GREEN', 'restricted', [], [], ['distribution.recipients']],
    ['GREEN regional with recipients', 'GREEN', 'regional', ['KG-BS'], [], ['distribution.recipients']],
    ['CLEAR regional with groups', 'CLEAR', 'regional', [], ['g1'], ['distribution.sharingGroups']],
    ['CLEAR regional', 'CLEAR', 'regional', [], [], []],
  ];

  it.each(cases)('%s', (_case, tlp, scope, recipients, sharingGroups, expectedPaths) => {
    const errors = distributionRuleErrors({ tlp, distribution: { scope, recipients, sharingGroups } });
    expect(errors.map((error) => error.path)).toEqual(expectedPaths);
  });

  it('explains the RED group rule and the restricted-to-nobody rule in words', () => {
    expect(
      distributionRuleErrors({
        tlp: 'RED',
        distribution: { scope: 'restricted', recipients: ['KG-BS'], sharingGroups: ['g'] },
      }),
    ).toEqual([
      { path: 'distribution.sharingGroups', message: 'must be empty for TLP RED (RED goes to named recipients only)' },
    ]);
    expect(
      distributionRuleErrors({
        tlp: 'GREEN',
        distribution: { scope: 'restricted', recipients: [], sharingGroups: [] },
      }),
    ).toEqual([
      { path: 'distribution.recipients', message: 'restricted scope needs at least one recipient or sharing group' },
    ]);
  });
});
