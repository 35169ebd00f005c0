/**
 * Ids seen lately, in two generations of `perGeneration` (the older dropped as the newer fills): memory stays
 * bounded, and an id is forgotten only after at least `perGeneration` newer ones.
 */
export class RecentIds {
  private recent = new Set<string>();
  private older = new Set<string>();

  constructor(private readonly perGeneration: number) {}

  add(id: string): void {
    this.recent.add(id);
    if (this.recent.size >= this.perGeneration) {
      this.older = this.recent;
      this.recent = new Set();
    }
  }

  has(id: string): boolean {
    return this.recent.has(id) || this.older.has(id);
  }
}
