/**
 * Values read from the database, reused for at most `ttlMs` and dropped at once by clear(). Concurrent reads of
 * one key share one load; a failed load is not kept. Bounded: past `maxKeys` it starts over (a flood of unknown
 * keys costs reads, never memory).
 */
export class RecentReads<K, V> {
  private readonly entries = new Map<K, { value: Promise<V>; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K, load: () => Promise<V>): Promise<V> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value;
    if (this.entries.size >= this.maxKeys) this.entries.clear();
    const entry = { value: load(), until: now + this.ttlMs };
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }

  clear(): void {
    this.entries.clear();
  }
}
