/**
 * Turns concurrent single-item calls into batches: while one batch is being written, new items wait and go
 * together in the next one. The Kafka consumer handles several partitions at once, so under load each
 * database transaction appends many events, while an idle log still writes each event at once.
 *
 * A failing batch is retried item by item, so that one item that cannot be written never fails the others.
 */
export class GroupCommit<Item, Result> {
  private waiting: Array<{ item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }> = [];
  private writing = false;

  constructor(
    private readonly writeBatch: (items: Item[]) => Promise<Result[]>,
    private readonly maxBatch: number,
  ) {}

  submit(item: Item): Promise<Result> {
    return this.submitAll([item]).then(([result]) => result);
  }

  /** Items submitted together are written together (up to maxBatch per transaction), in the order given. */
  submitAll(items: readonly Item[]): Promise<Result[]> {
    const results = items.map(
      (item) =>
        new Promise<Result>((resolve, reject) => {
          this.waiting.push({ item, resolve, reject });
        }),
    );
    void this.drain();
    return Promise.all(results);
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, this.maxBatch);
        try {
          const results = await this.writeBatch(batch.map((waiter) => waiter.item));
          batch.forEach((waiter, i) => waiter.resolve(results[i]));
        } catch (error) {
          if (batch.length === 1) {
            batch[0].reject(error);
            continue;
          }
          for (const waiter of batch) {
            try {
              const [result] = await this.writeBatch([waiter.item]);
              waiter.resolve(result);
            } catch (itemError) {
              waiter.reject(itemError);
            }
          }
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
