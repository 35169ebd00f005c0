import { Injectable } from '@nestjs/common';
import { isDependencyOutage } from '@hub/kafka/dependency-outage';
import { IdempotencyKeysRepository, Submission } from './idempotency-keys.repository';

/** At most this many submissions in one statement; a request's own list is never split. */
const MAX_GROUP = 500;

/** One caller's submissions and where its answer goes. */
interface Waiting {
  submissions: readonly Submission[];
  resolve(claims: (string[] | null)[]): void;
  reject(error: unknown): void;
}

/**
 * Group commit of new alerts (issue 22, step 1; docs/decisions/009-hot-path.md, "Group commit of submissions"). One
 * statement is in flight at a time; whatever requests hand over meanwhile is written together by the next one, across
 * senders, with IdempotencyKeysRepository.claimAndSubmitMany. With nothing in flight a submission is written at once
 * (no timer: a lone request never waits for company) by claimAndSubmit, the statement it always used.
 *
 * Each caller gets exactly what its own statement would have answered: its claims' outbox ids, or null for a key
 * claimed before. A statement that fails for a reason other than the database being unavailable (a row that breaks
 * a constraint, say) is written again caller by caller, so one request's bad row never fails the others'; when the
 * database is unavailable every caller of the group gets that error (each answers 503, as it would have alone).
 */
@Injectable()
export class SubmissionWriter {
  private readonly waiting: Waiting[] = [];
  private writing = false;

  constructor(private readonly idempotencyKeys: IdempotencyKeysRepository) {}

  /** Claims and writes the submissions (see claimAndSubmitMany): for each, its outbox ids or null. */
  write(submissions: readonly Submission[]): Promise<(string[] | null)[]> {
    if (submissions.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.waiting.push({ submissions, resolve, reject });
      if (!this.writing) void this.writeAll();
    });
  }

  private async writeAll(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) await this.writeGroup(this.nextGroup());
    } finally {
      this.writing = false;
    }
  }

  /** The callers waiting longest, up to MAX_GROUP submissions (at least one caller, whatever its size). */
  private nextGroup(): Waiting[] {
    let size = this.waiting[0].submissions.length;
    let count = 1;
    while (count < this.waiting.length && size + this.waiting[count].submissions.length <= MAX_GROUP) {
      size += this.waiting[count].submissions.length;
      count += 1;
    }
    return this.waiting.splice(0, count);
  }

  private async writeGroup(group: Waiting[]): Promise<void> {
    try {
      const claims = await this.statement(group.flatMap((w) => w.submissions));
      let next = 0;
      for (const caller of group) {
        caller.resolve(claims.slice(next, next + caller.submissions.length));
        next += caller.submissions.length;
      }
    } catch (error) {
      if (group.length === 1 || isDependencyOutage(error)) {
        for (const caller of group) caller.reject(error);
        return;
      }
      for (const caller of group) await this.writeGroup([caller]);
    }
  }

  private async statement(submissions: Submission[]): Promise<(string[] | null)[]> {
    if (submissions.length === 1) return [await this.idempotencyKeys.claimAndSubmit(submissions[0])];
    return this.idempotencyKeys.claimAndSubmitMany(submissions);
  }
}
