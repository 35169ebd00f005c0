import { Injectable } from '@nestjs/common';

/**
 * How long a read of agencies, API keys or sharing groups is reused. They change only through AdminService, on
 * this replica or another: a change made here clears every read at once (AdminService calls changed() after its
 * commit), one made on another replica is seen here within this many milliseconds. A revocation therefore takes
 * effect at once on the replica that made it and within a second on the others (PRODUCT.md, trust model), while a
 * request costs no statement for its key or the reference data (docs/decisions/009-hot-path.md).
 */
export const REFERENCE_READ_TTL_MS = 1000;

/** The gateway's own reference tables changed: whoever keeps reads of them drops them. */
@Injectable()
export class ReferenceChanges {
  private readonly listeners: Array<() => void> = [];

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }
}
