import { AgencyFacts, flowsByParty, partyOf, seriesByParty } from './charts';

const agencies = new Map<string, AgencyFacts>([
  ['CARICC', { country: 'KZ', kind: 'regional-centre' }],
  ['KZ-CND', { country: 'KZ', kind: 'national-agency' }],
  ['KZ-BS', { country: 'KZ', kind: 'national-agency' }],
  ['TJ-DCA', { country: 'TJ', kind: 'national-agency' }],
  ['ODD', { country: 'UZ', kind: 'national-agency' }],
]);

describe('the charts by state', () => {
  it('counts an agency for its state, a regional centre for itself, an unknown agency by its prefix', () => {
    expect(partyOf('KZ-CND', agencies)).toBe('KZ');
    expect(partyOf('ODD', agencies)).toBe('UZ');
    expect(partyOf('CARICC', agencies)).toBe('CARICC');
    expect(partyOf('KG-NEW', agencies)).toBe('KG');
    expect(partyOf('NOPREFIX', agencies)).toBe('NOPREFIX');
  });

  it('sums agencies of a state into one series with a count per bucket, largest total first', () => {
    const buckets = ['2025-06-01', '2025-06-02', '2025-06-03'];
    const series = seriesByParty(
      [
        { agency: 'KZ-CND', bucket: '2025-06-01', count: 2 },
        { agency: 'KZ-BS', bucket: '2025-06-01', count: 1 },
        { agency: 'KZ-BS', bucket: '2025-06-03', count: 4 },
        { agency: 'TJ-DCA', bucket: '2025-06-02', count: 1 },
        { agency: 'CARICC', bucket: '2025-06-02', count: 1 },
        // outside the period: left out
        { agency: 'TJ-DCA', bucket: '2025-05-31', count: 9 },
      ],
      buckets,
      agencies,
    );
    expect(series).toEqual([
      { party: 'KZ', counts: [3, 0, 4] },
      { party: 'CARICC', counts: [0, 1, 0] },
      { party: 'TJ', counts: [0, 1, 0] },
    ]);
  });

  it('sums deliveries between agencies into flows between states, the centre apart', () => {
    expect(
      flowsByParty(
        [
          { sender: 'TJ-DCA', recipient: 'KZ-CND', deliveries: 2 },
          { sender: 'TJ-DCA', recipient: 'KZ-BS', deliveries: 1 },
          { sender: 'TJ-DCA', recipient: 'CARICC', deliveries: 1 },
          { sender: 'KZ-CND', recipient: 'KZ-BS', deliveries: 5 },
        ],
        agencies,
      ),
    ).toEqual([
      { from: 'KZ', to: 'KZ', deliveries: 5 },
      { from: 'TJ', to: 'KZ', deliveries: 3 },
      { from: 'TJ', to: 'CARICC', deliveries: 1 },
    ]);
  });
});
