import { ReferenceView } from './reference-view';

/** Reference data shared by the policy specs. NOW is 2025-05-01; "old-operation" expired before it. */
export const NOW = new Date('2025-05-01T10:00:00Z');

export const REF: ReferenceView = {
  agencies: [
    { id: 'TJ-DCA', kind: 'national-agency', active: true, country: 'TJ' },
    { id: 'KG-BS', kind: 'national-agency', active: true, country: 'KG' },
    { id: 'UZ-NCDC', kind: 'national-agency', active: true, country: 'UZ' },
    { id: 'KZ-CUSTOMS', kind: 'national-agency', active: true, country: 'KZ' },
    { id: 'TM-BS', kind: 'national-agency', active: false, country: 'TM' },
    { id: 'CARICC', kind: 'regional-centre', active: true, country: 'KZ' },
  ],
  sharingGroups: [
    { id: 'ca-customs', members: ['KZ-CUSTOMS', 'UZ-NCDC', 'TM-BS', 'TJ-DCA'], expiresAt: null },
    { id: 'old-operation', members: ['KG-BS', 'KZ-CUSTOMS'], expiresAt: '2025-01-01T00:00:00Z' },
    { id: 'spring-operation', members: ['KZ-CUSTOMS'], expiresAt: '2025-06-01T00:00:00Z' },
  ],
};

export const SENDER = 'TJ-DCA';
