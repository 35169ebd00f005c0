/**
 * Plain (JSON-shaped) alert documents for tests in any app or lib. Not exported from the package index:
 * import from '@hub/contracts/alert/alert.fixtures'.
 */
export interface PlainAlert {
  [field: string]: unknown;
  distribution: { scope: string; recipients: unknown[]; sharingGroups: unknown[] } & Record<string, unknown>;
  subjects: unknown[];
}

/** A valid restricted AMBER alert with one subject of every type, expiring 2030-06-01. */
export function validPlainAlert(): PlainAlert {
  return {
    status: 'actual',
    category: 'suspicious-shipment',
    urgency: 'expected',
    severity: 'severe',
    certainty: 'likely',
    headline: 'Container with concealed heroin expected at Nizhny Panj',
    description: 'Two-line\ndescription.',
    tlp: 'AMBER',
    handlingCode: 'H1',
    evaluation: { source: 'B', information: 2 },
    distribution: { scope: 'restricted', recipients: ['KG-BS', 'UZ-NCDC'], sharingGroups: ['central-asia-customs'] },
    location: { country: 'TJ', place: 'Nizhny Panj', lat: 37.2, lon: 68.6 },
    subjects: [
      {
        type: 'person',
        fullName: 'Ivan Petrov',
        dateOfBirth: '1984-03-21',
        nationality: 'TJ',
        documentNumber: 'A1234567',
        documentCountry: 'TJ',
      },
      { type: 'vehicle', plate: '01 KG 123 ABC', registrationCountry: 'KG', vin: 'WDB9634031L123456' },
      { type: 'container', number: 'CSQU3054383' },
      { type: 'consignment', substance: 'heroin', quantityKg: 12.5, concealment: 'false floor' },
      { type: 'vessel', imo: 'IMO 9074729' },
      { type: 'phone', number: '+992372212345' },
    ],
    expiresAt: '2030-06-01T12:00:00Z',
    references: ['3f1c2b9e-8d4a-4c5e-9b7f-0a1b2c3d4e5f'],
  };
}

/** The smallest valid alert: regional GREEN, no subjects, no references, no optional fields. */
export function minimalPlainAlert(): PlainAlert {
  return {
    status: 'test',
    category: 'route-intelligence',
    urgency: 'future',
    severity: 'minor',
    certainty: 'possible',
    headline: 'New route via Osh',
    tlp: 'GREEN',
    handlingCode: 'H0',
    evaluation: { source: 'X', information: 4 },
    distribution: { scope: 'regional', recipients: [], sharingGroups: [] },
    location: { country: 'KG' },
    subjects: [],
    references: [],
  };
}
