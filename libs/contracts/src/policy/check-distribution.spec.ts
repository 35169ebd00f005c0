import { plainToInstance } from 'class-transformer';
import { validPlainAlert } from '../alert/alert.fixtures';
import { AlertContent } from '../alert/alert-content';
import { checkDistribution, missingReferences, submissionErrors } from './check-distribution';
import { NOW, REF, SENDER } from './policy.fixtures';
import { RoutingContent } from './routing-policy';

function distribution(
  recipients: string[],
  sharingGroups: string[] = [],
  tlp: RoutingContent['tlp'] = 'AMBER',
): RoutingContent {
  return { tlp, distribution: { scope: 'restricted', recipients, sharingGroups } };
}

describe('checkDistribution', () => {
  it('accepts active recipients and live groups', () => {
    expect(
      checkDistribution(distribution(['KG-BS', 'CARICC'], ['ca-customs', 'spring-operation']), SENDER, REF, NOW),
    ).toEqual([]);
  });

  it('names each unknown, inactive or self-addressed recipient by index', () => {
    expect(checkDistribution(distribution(['KG-BS', 'KZ-NEW', 'TM-BS', 'TJ-DCA']), SENDER, REF, NOW)).toEqual([
      { path: 'distribution.recipients[1]', message: 'is not a known agency' },
      { path: 'distribution.recipients[2]', message: 'is not an active agency' },
      { path: 'distribution.recipients[3]', message: 'is the sender itself' },
    ]);
  });

  it('names each unknown or expired group by index', () => {
    expect(
      checkDistribution(distribution(['KG-BS'], ['ca-customs', 'no-such-group', 'old-operation']), SENDER, REF, NOW),
    ).toEqual([
      { path: 'distribution.sharingGroups[1]', message: 'is not a known sharing group' },
      { path: 'distribution.sharingGroups[2]', message: 'expired at 2025-01-01T00:00:00Z' },
    ]);
  });

  it('counts a group as expired from the instant of its expiry', () => {
    const atExpiry = new Date('2025-06-01T00:00:00Z');
    expect(
      checkDistribution(distribution([], ['spring-operation']), SENDER, REF, new Date(atExpiry.getTime() - 1)),
    ).toEqual([]);
    expect(
      checkDistribution(distribution([], ['spring-operation']), SENDER, REF, atExpiry).map((error) => error.path),
    ).toEqual(['distribution.sharingGroups[0]']);
  });

  it('applies the TLP and scope rules too', () => {
    expect(checkDistribution(distribution(['KG-BS'], ['ca-customs'], 'RED'), SENDER, REF, NOW)).toEqual([
      { path: 'distribution.sharingGroups', message: 'must be empty for TLP RED (RED goes to named recipients only)' },
    ]);
    expect(
      checkDistribution(
        { tlp: 'RED', distribution: { scope: 'regional', recipients: [], sharingGroups: [] } },
        SENDER,
        REF,
        NOW,
      ),
    ).toEqual([{ path: 'distribution.scope', message: 'must be restricted for TLP RED' }]);
  });
});

describe('submissionErrors', () => {
  it('combines the content rules and the distribution checks, each rule once', () => {
    const plain = validPlainAlert();
    plain.tlp = 'RED';
    plain.expiresAt = '2020-01-01T00:00:00Z';
    plain.distribution.recipients = ['KZ-NEW'];
    plain.distribution.sharingGroups = [];
    plain.distribution.scope = 'regional';
    const content = plainToInstance(AlertContent, plain);
    expect(submissionErrors(content, SENDER, REF, NOW)).toEqual([
      { path: 'expiresAt', message: 'must be in the future' },
      { path: 'distribution.scope', message: 'must be restricted for TLP RED' },
      {
        path: 'distribution.recipients',
        message: 'must be empty when scope is regional (regional reaches every active agency)',
      },
      { path: 'distribution.recipients[0]', message: 'is not a known agency' },
    ]);
  });

  it('is empty for a valid alert to known, active agencies', () => {
    const plain = validPlainAlert();
    plain.distribution.recipients = ['KG-BS'];
    plain.distribution.sharingGroups = ['ca-customs'];
    expect(submissionErrors(plainToInstance(AlertContent, plain), SENDER, REF, NOW)).toEqual([]);
  });
});

describe('missingReferences', () => {
  it('lists the addressees and groups the reference data does not know', () => {
    expect(missingReferences(distribution(['KG-BS', 'KZ-NEW', 'TM-BS'], ['ca-customs', 'later-group']), REF)).toEqual({
      agencies: ['KZ-NEW'],
      sharingGroups: ['later-group'],
      rooms: [],
    });
  });
});
