import { IdempotencyKeysRepository, Submission } from './idempotency-keys.repository';
import { SubmissionWriter } from './submission-writer';

/** The writer's grouping and failure rules alone; submission-writer.integration-spec.ts runs it on PostgreSQL. */
describe('SubmissionWriter', () => {
  const submission = (n: number) => ({ idempotencyKey: `key-${n}` }) as Submission;

  function repository(fail: (submissions: readonly Submission[]) => Error | null) {
    const calls: string[][] = [];
    const run = async (submissions: readonly Submission[]) => {
      calls.push(submissions.map((s) => s.idempotencyKey));
      const error = fail(submissions);
      if (error) throw error;
      return submissions.map((s) => [`id-of-${s.idempotencyKey}`]);
    };
    const keys = {
      claimAndSubmit: async (s: Submission) => (await run([s]))[0],
      claimAndSubmitMany: run,
    } as unknown as IdempotencyKeysRepository;
    return { keys, calls };
  }

  it('when the database is unavailable, every caller of the group gets that error and none is retried alone', async () => {
    const outage = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const { keys, calls } = repository(() => outage);
    const writer = new SubmissionWriter(keys);

    const results = await Promise.allSettled([1, 2, 3].map((n) => writer.write([submission(n)])));

    expect(results.map((r) => (r.status === 'rejected' ? r.reason : r.value))).toEqual([outage, outage, outage]);
    expect(calls).toEqual([['key-1'], ['key-2', 'key-3']]);
  });

  it('a failure that is not an outage is written again caller by caller; the others get their answers', async () => {
    const bad = new Error('value too long');
    const { keys, calls } = repository((s) => (s.some((x) => x.idempotencyKey === 'key-3') ? bad : null));
    const writer = new SubmissionWriter(keys);

    const results = await Promise.allSettled([1, 2, 3, 4].map((n) => writer.write([submission(n)])));

    expect(results.map((r) => (r.status === 'rejected' ? r.reason : r.value))).toEqual([
      [['id-of-key-1']],
      [['id-of-key-2']],
      bad,
      [['id-of-key-4']],
    ]);
    expect(calls).toEqual([['key-1'], ['key-2', 'key-3', 'key-4'], ['key-2'], ['key-3'], ['key-4']]);
  });

  it('groups at most 500 submissions, but never splits one caller’s list', async () => {
    const { keys, calls } = repository(() => null);
    const writer = new SubmissionWriter(keys);
    const list = (from: number, count: number) => Array.from({ length: count }, (_, i) => submission(from + i));

    await Promise.all([
      writer.write(list(0, 1)),
      writer.write(list(100, 300)),
      writer.write(list(1000, 300)),
      writer.write(list(2000, 600)),
    ]);

    expect(calls.map((c) => c.length)).toEqual([1, 300, 300, 600]);
  });
});
