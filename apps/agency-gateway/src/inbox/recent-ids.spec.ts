import { RecentIds } from './recent-ids';

describe('RecentIds', () => {
  it('remembers at least the last generation of ids and forgets older ones', () => {
    const ids = new RecentIds(3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) ids.add(id);
    expect(['c', 'd', 'e'].every((id) => ids.has(id))).toBe(true);
    for (const id of ['f', 'g', 'h']) ids.add(id);
    expect(ids.has('a')).toBe(false);
    expect(ids.has('f') && ids.has('h')).toBe(true);
  });
});
