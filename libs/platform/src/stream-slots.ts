import { ErrorCode, HubError } from './errors';

/**
 * Open event streams (the inbox's, the analysts' feed) per API key, in this process. Each stream holds a connection,
 * a database cursor loop and a wake-up subscription: without a cap one key could open thousands.
 */
export class StreamSlots {
  private readonly open = new Map<string, number>();

  /** `what`: the streams' name in the refusal, e.g. "inbox streams". */
  constructor(
    private readonly perKey: number,
    private readonly what: string,
  ) {}

  /** Takes a slot for the key or refuses with 429; the returned function gives it back (once). */
  acquire(keyId: string): () => void {
    const count = this.open.get(keyId) ?? 0;
    if (count >= this.perKey) {
      throw new HubError(
        ErrorCode.RateLimited,
        `This key already has ${count} ${this.what} open (at most ${this.perKey}); close one or reuse it with Last-Event-ID`,
      );
    }
    this.open.set(keyId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(keyId) ?? 1) - 1;
      if (left <= 0) this.open.delete(keyId);
      else this.open.set(keyId, left);
    };
  }
}
