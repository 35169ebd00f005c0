import { closesAtErrors, initialMembers, memberErrors, roomState } from './room-rules';

const NOW = new Date('2026-05-01T10:00:00Z');
const at = (iso: string) => new Date(iso);

describe('room rules', () => {
  it('a room is open until its owner closes it or closesAt comes, and erased above all', () => {
    const closesAt = at('2026-05-02T00:00:00Z');
    expect(roomState({ closesAt, closedAt: null, erasedAt: null }, NOW)).toBe('open');
    expect(roomState({ closesAt, closedAt: NOW, erasedAt: null }, NOW)).toBe('closed');
    expect(roomState({ closesAt: NOW, closedAt: null, erasedAt: null }, NOW)).toBe('closed');
    expect(roomState({ closesAt, closedAt: NOW, erasedAt: NOW }, NOW)).toBe('erased');
  });

  it('the owner is always a member, listed once', () => {
    expect(initialMembers('TJ-DCA', ['KG-BS', 'TJ-DCA', 'KG-BS', 'AF-CND'])).toEqual(['TJ-DCA', 'KG-BS', 'AF-CND']);
  });

  it('names each unknown or inactive member by its path; partner agencies may be invited', () => {
    const agencies = [
      { id: 'KG-BS', kind: 'national-agency' as const, active: true, country: 'KG' },
      { id: 'TM-BS', kind: 'national-agency' as const, active: false, country: 'TM' },
      { id: 'AF-CND', kind: 'partner-agency' as const, active: true, country: 'AF' },
    ];
    expect(memberErrors(['KG-BS', 'XX-NONE', 'TM-BS', 'AF-CND'], agencies, (i) => `members[${i}]`)).toEqual([
      { path: 'members[1]', message: 'is not a known agency' },
      { path: 'members[2]', message: 'is not an active agency' },
    ]);
  });

  it('closesAt lies ahead, within a year', () => {
    expect(closesAtErrors('2026-05-03T00:00:00Z', NOW)).toEqual([]);
    expect(closesAtErrors('2026-05-01T10:00:00Z', NOW)).toEqual([
      { path: 'closesAt', message: 'must be in the future' },
    ]);
    expect(closesAtErrors('2027-06-01T00:00:00Z', NOW)).toEqual([
      { path: 'closesAt', message: 'must be within a year' },
    ]);
  });
});
