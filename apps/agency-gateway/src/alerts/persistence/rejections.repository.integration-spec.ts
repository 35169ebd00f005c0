import { randomUUID } from 'node:crypto';
import { newContentSalt, problemsCommitment } from '@hub/merkle/content-commitment';
import { RejectionsRepository } from './rejections.repository';
import { RolledBackDatabase } from './repository-spec.fixture';

/**
 * gateway.rejections keeps free text the audit log only commits to (docs/decisions/008), on the real (migrated)
 * gateway schema. Dates far in the past keep other tests' rows out of the retention sweep.
 */
describe('RejectionsRepository on PostgreSQL', () => {
  const db = new RolledBackDatabase();
  beforeAll(() => db.connect());
  afterAll(() => db.end());
  beforeEach(() => db.begin());
  afterEach(() => db.rollback());
  const rejections = new RejectionsRepository(db);

  function rejection(retainUntil: string, alertId: string | null = null) {
    const salt = newContentSalt();
    const problems = [{ path: `x${randomUUID()}`, message: 'property should not exist' }];
    return {
      eventId: randomUUID(),
      sender: 'TJ-TEST',
      keyId: 'key-1',
      alertId,
      problems,
      salt,
      commitment: problemsCommitment(salt, { problems }),
      retainUntil: new Date(retainUntil),
    };
  }

  it('erases the problems whose retention ended, once, keeping the row, the sender and the commitment; the others stay', async () => {
    const due = rejection('2001-01-01T00:00:00Z');
    const later = rejection('2001-01-03T00:00:00Z');
    await rejections.insert(due);
    await rejections.insert(later);

    expect(await rejections.eraseDue(new Date('2001-01-02T00:00:00Z'), 10)).toEqual([due.eventId]);
    expect(await rejections.find(due.eventId)).toMatchObject({
      sender: 'TJ-TEST',
      commitment: due.commitment,
      problems: null,
      salt: null,
      erasedAt: new Date('2001-01-02T00:00:00Z'),
    });
    expect(await rejections.find(later.eventId)).toMatchObject({ problems: later.problems, erasedAt: null });
    expect((await rejections.find(later.eventId))?.salt?.equals(later.salt)).toBe(true);
    // Erased once: a second run finds nothing more due.
    expect(await rejections.eraseDue(new Date('2001-01-02T00:00:00Z'), 10)).toEqual([]);
    expect(await rejections.eraseDue(new Date('2001-01-04T00:00:00Z'), 10)).toEqual([later.eventId]);
  });

  it("erases the problems of an erased alert at once, whatever their retention, and no other alert's", async () => {
    const [alertId, otherAlertId] = [randomUUID(), randomUUID()];
    const about = rejection('2999-01-01T00:00:00Z', alertId);
    const other = rejection('2999-01-01T00:00:00Z', otherAlertId);
    await rejections.insert(about);
    await rejections.insert(other);
    await rejections.eraseOfAlerts([alertId], new Date('2030-01-01T00:00:00Z'));
    expect(await rejections.find(about.eventId)).toMatchObject({
      alertId,
      problems: null,
      salt: null,
      erasedAt: new Date('2030-01-01T00:00:00Z'),
    });
    expect(await rejections.find(other.eventId)).toMatchObject({
      alertId: otherAlertId,
      problems: other.problems,
      erasedAt: null,
    });
    expect(await rejections.find(randomUUID())).toBeNull();
  });

  it('gives problems back exactly as committed to, even a NUL or half a surrogate pair (a key cut at 200 characters)', async () => {
    const salt = newContentSalt();
    const problems = [{ path: `a\u0000b${'x'.repeat(10)}\ud83d`, message: 'property should not exist \u2028' }];
    const awkward = {
      ...rejection('2999-01-01T00:00:00Z'),
      problems,
      salt,
      commitment: problemsCommitment(salt, { problems }),
    };
    await rejections.insert(awkward);
    const found = await rejections.find(awkward.eventId);
    expect(found?.problems).toEqual(problems);
    expect(problemsCommitment(found!.salt!, { problems: found!.problems! })).toBe(awkward.commitment);
  });
});
