import { randomUUID } from 'node:crypto';
import { AlertVersionsRepository, ALERT_VERSION_COLUMNS, versionColumns } from './alert-versions.repository';
import { agency, RolledBackDatabase, submitted } from './repository-spec.fixture';

describe('AlertVersionsRepository on PostgreSQL', () => {
  const db = new RolledBackDatabase();
  beforeAll(() => db.connect());
  afterAll(() => db.end());
  beforeEach(() => db.begin());
  afterEach(() => db.rollback());
  const versions = new AlertVersionsRepository(db);

  it('reads a version back as stored; nothing for a version that does not exist', async () => {
    const stored = await submitted(db, await agency(db));
    const { alertId, receivedAt } = stored.message;
    expect(await versions.find(alertId, 1)).toEqual({
      content: JSON.parse(JSON.stringify(stored.message.alert)),
      receivedAt: new Date(receivedAt),
      cancelReason: null,
      signature: null,
    });
    expect(await versions.content(alertId, 1)).toEqual(JSON.parse(JSON.stringify(stored.message.alert)));
    expect(await versions.find(alertId, 2)).toBeNull();
    expect(await versions.find(randomUUID(), 1)).toBeNull();
  });

  it('an erased version has no content left to repeat', async () => {
    const { message } = await submitted(db, await agency(db));
    await db.query(`UPDATE gateway.alert_versions SET content = NULL WHERE alert_id = $1`, [message.alertId]);
    expect(await versions.find(message.alertId, 1)).toMatchObject({ content: null });
    await expect(versions.content(message.alertId, 1)).rejects.toThrow('no content');
  });

  it("gives a stored version's columns in the order they are named", async () => {
    const stored = await submitted(db, await agency(db));
    const columns = ALERT_VERSION_COLUMNS.split(', ');
    const values = versionColumns(stored);
    expect(values).toHaveLength(columns.length);
    expect(Object.fromEntries(columns.map((c, i) => [c, values[i]]))).toMatchObject({
      alert_id: stored.message.alertId,
      version: 1,
      message_id: stored.message.messageId,
      kind: 'alert',
      content_salt: stored.salt,
      commitment: stored.commitment,
      signature: null,
    });
  });
});
