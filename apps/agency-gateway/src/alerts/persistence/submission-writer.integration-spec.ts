import { randomUUID } from 'node:crypto';
import { Principal } from '@hub/auth/principal';
import { SqlRunner } from '@hub/database/sql-runner';
import { IdempotencyKeysRepository, Submission } from './idempotency-keys.repository';
import { agency, gatewayOutbox, newSubmission, RolledBackDatabase } from './repository-spec.fixture';
import { SubmissionWriter } from './submission-writer';

/** A submission with one identifier in the hit index, so that its rows there can be checked per sender. */
function submission(sender: Principal, overrides: Partial<Submission> = {}): Submission {
  return newSubmission(sender, undefined, {
    index: { keyHashes: [randomUUID()], expiresAt: '2999-01-01T00:00:00.000Z' },
    ...overrides,
  });
}

/** Each statement in a savepoint, so that a failed one leaves the spec's transaction usable, as autocommit would. */
class StatementAtATime implements SqlRunner {
  constructor(private readonly db: RolledBackDatabase) {}

  async query<Row = any>(sql: string, parameters?: unknown[]): Promise<Row[]> {
    await this.db.query('SAVEPOINT statement');
    try {
      const rows = await this.db.query<Row>(sql, parameters);
      await this.db.query('RELEASE SAVEPOINT statement');
      return rows;
    } catch (error) {
      await this.db.query('ROLLBACK TO SAVEPOINT statement');
      throw error;
    }
  }
}

describe('SubmissionWriter on PostgreSQL (group commit of concurrent submissions)', () => {
  const db = new RolledBackDatabase();
  beforeAll(() => db.connect());
  afterAll(() => db.end());
  beforeEach(() => db.begin());
  afterEach(() => db.rollback());
  const keys = new IdempotencyKeysRepository(db, gatewayOutbox());

  const alertsOf = (sender: Principal) =>
    db.query<{ alert_id: string }>(`SELECT alert_id FROM gateway.alerts WHERE sender = $1 ORDER BY alert_id`, [
      sender.agencyId,
    ]);
  const claimStatements = () => db.statements.filter((sql) => sql.includes('gateway.idempotency_keys')).length;

  it('writes a lone submission at once, and what arrives meanwhile — of several senders — in ONE next statement', async () => {
    const [a, b] = [await agency(db), await agency(db)];
    const writer = new SubmissionWriter(keys);
    const submissions = [submission(a), submission(b), submission(a), submission(b), submission(b)];
    db.statements.length = 0;

    const answers = await Promise.all(submissions.map((s) => writer.write([s])));

    expect(claimStatements()).toBe(2);
    expect(answers.every(([ids]) => ids !== null && ids.length === 2)).toBe(true);
    const allIds = answers.flatMap(([ids]) => ids!);
    expect(new Set(allIds).size).toBe(10);
    const owned = await db.query<{ id: string; key: string }>(
      `SELECT id::text, key FROM gateway.outbox WHERE id = ANY($1::bigint[])`,
      [allIds],
    );
    // each caller's outbox ids are the rows of its own alert
    for (const [i, [ids]] of answers.entries()) {
      expect(owned.filter((row) => ids!.includes(row.id)).map((row) => row.key)).toEqual([
        submissions[i].stored.message.alertId,
        submissions[i].stored.message.alertId,
      ]);
    }
    expect((await alertsOf(a)).length).toBe(2);
    expect((await alertsOf(b)).length).toBe(3);
    const senders = await db.query<{ sender: string; alert_id: string }>(
      `SELECT sender, alert_id::text FROM gateway.alert_identifiers WHERE alert_id = ANY($1::uuid[])`,
      [submissions.map((s) => s.stored.message.alertId)],
    );
    expect(senders).toHaveLength(5);
    for (const row of senders)
      expect(row.sender).toBe(submissions.find((s) => s.stored.message.alertId === row.alert_id)!.sender);
    for (const s of submissions)
      expect((await keys.find(s.sender, s.idempotencyKey))?.response.alertId).toBe(s.stored.message.alertId);
  });

  it('in one group, the second use of a key is told it was claimed; a bulk list is never split', async () => {
    const sender = await agency(db);
    const writer = new SubmissionWriter(keys);
    const idempotencyKey = randomUUID();
    const first = submission(sender, { idempotencyKey });
    const bulk = [submission(sender), submission(sender), submission(sender)];
    db.statements.length = 0;

    const [lone, [claimed, again], bulkClaims] = await Promise.all([
      writer.write([submission(sender)]),
      writer.write([first, submission(sender, { idempotencyKey })]),
      writer.write(bulk),
    ]);

    expect(claimStatements()).toBe(2);
    expect(lone[0]).toHaveLength(2);
    expect(claimed).toHaveLength(2);
    expect(again).toBeNull();
    expect(bulkClaims.map((ids) => ids?.length)).toEqual([2, 2, 2]);
    expect((await keys.find(sender.agencyId, idempotencyKey))?.response.alertId).toBe(first.stored.message.alertId);
    expect((await alertsOf(sender)).length).toBe(5);
  });

  it("a group that fails on one caller's row is written caller by caller: only that caller fails", async () => {
    const sender = await agency(db);
    const writer = new SubmissionWriter(new IdempotencyKeysRepository(new StatementAtATime(db), gatewayOutbox()));
    const good = [submission(sender), submission(sender), submission(sender)];
    const bad = submission(sender, { retainUntil: 'not a time' });

    const results = await Promise.allSettled([good[0], bad, good[1], good[2]].map((s) => writer.write([s])));

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: '22007' });
    expect((await alertsOf(sender)).map((row) => row.alert_id).sort()).toEqual(
      good.map((s) => s.stored.message.alertId).sort(),
    );
  });
});
