import { mayHoldAuditorKeys } from './admin.service';

describe('mayHoldAuditorKeys: auditor keys only for the auditing bodies', () => {
  const centre = { id: 'CARICC', kind: 'regional-centre' };
  const agency = { id: 'TJ-DCA', kind: 'national-agency' };
  const office = { id: 'KZ-AUDIT', kind: 'national-agency' };

  it('without AUDITOR_AGENCIES: the regional centre, no national agency', () => {
    expect(mayHoldAuditorKeys(centre, '')).toBe(true);
    expect(mayHoldAuditorKeys(agency, '')).toBe(false);
  });

  it('with AUDITOR_AGENCIES: exactly the agencies it names, whatever their kind', () => {
    expect(mayHoldAuditorKeys(office, 'KZ-AUDIT,CARICC')).toBe(true);
    expect(mayHoldAuditorKeys(centre, 'KZ-AUDIT')).toBe(false);
    expect(mayHoldAuditorKeys(agency, 'KZ-AUDIT')).toBe(false);
  });
});
