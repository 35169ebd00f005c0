import { randomUUID } from 'node:crypto';
import { Topic } from '@hub/contracts/topics';
import { storedVersion, versionMessages } from '../stored-version';
import { AlertsRepository } from './alerts.repository';
import {
  agency,
  alertContent,
  delivered,
  gatewayOutbox,
  RolledBackDatabase,
  submitted,
} from './repository-spec.fixture';

describe('AlertsRepository on PostgreSQL', () => {
  const db = new RolledBackDatabase();
  beforeAll(() => db.connect());
  afterAll(() => db.end());
  beforeEach(() => db.begin());
  afterEach(() => db.rollback());
  const alerts = new AlertsRepository(db, gatewayOutbox());

  it('finds an alert, its sender and its row under lock; nothing for an unknown id', async () => {
    const sender = await agency(db);
    const { message } = await submitted(db, sender);
    const record = {
      alertId: message.alertId,
      sender: sender.agencyId,
      currentVersion: 1,
      state: 'active',
      erasedAt: null,
    };
    expect(await alerts.find(message.alertId)).toEqual(record);
    // Its submission is still in the outbox (nothing published it in this transaction).
    expect(await alerts.lockForChange(message.alertId)).toEqual({ ...record, previousUnpublished: true });
    expect(await alerts.senderOf(message.alertId)).toBe(sender.agencyId);
    expect(await alerts.find(randomUUID())).toBeNull();
    expect(await alerts.lockForChange(randomUUID())).toBeNull();
    expect(await alerts.senderOf(randomUUID())).toBeNull();
  });

  it('says whether a version of the alert is still in the outbox, not yet acknowledged by Kafka', async () => {
    const sender = await agency(db);
    const { message, outboxIds } = await submitted(db, sender);
    const other = await submitted(db, sender);
    expect(await alerts.lockForChange(message.alertId)).toMatchObject({ previousUnpublished: true });
    // Published (the writer deletes its rows): the next version may be written. Another alert's rows do not count.
    await db.query(`DELETE FROM gateway.outbox WHERE id = ANY($1::bigint[])`, [outboxIds]);
    expect(await alerts.lockForChange(message.alertId)).toMatchObject({ previousUnpublished: false });
    expect(await alerts.lockForChange(other.message.alertId)).toMatchObject({ previousUnpublished: true });
  });

  it('appends an update in one statement: the version, the new current version and retention, and the outbox rows', async () => {
    const sender = await agency(db);
    const { message } = await submitted(db, sender, { retainUntil: '2990-01-01T00:00:00.000Z' });
    const update = storedVersion(sender, 'update', message.alertId, 2, alertContent({ headline: 'Updated' }));
    db.statements.length = 0;
    const ids = await alerts.appendVersion(
      update,
      'active',
      '2991-01-01T00:00:00.000Z',
      versionMessages(sender, update),
    );
    expect(db.statements).toHaveLength(1);

    expect(await alerts.find(message.alertId)).toMatchObject({ currentVersion: 2, state: 'active' });
    expect(await db.query(`SELECT retain_until FROM gateway.alerts WHERE alert_id = $1`, [message.alertId])).toEqual([
      { retain_until: new Date('2991-01-01T00:00:00.000Z') },
    ]);
    expect(
      await db.query(
        `SELECT kind, content->>'headline' AS headline, commitment FROM gateway.alert_versions WHERE alert_id = $1 AND version = 2`,
        [message.alertId],
      ),
    ).toEqual([{ kind: 'update', headline: 'Updated', commitment: update.commitment }]);
    const outbox = await db.query<{ topic: string; value: string }>(
      `SELECT topic, value FROM gateway.outbox WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [ids],
    );
    expect(outbox.map((row) => row.topic)).toEqual([Topic.AlertsSubmitted, Topic.AuditEventsFromGateway]);
    expect(JSON.parse(outbox[0].value)).toMatchObject({ alertId: message.alertId, version: 2, kind: 'update' });
  });

  it('a cancel makes the alert cancelled and keeps its retention', async () => {
    const sender = await agency(db);
    const { message } = await submitted(db, sender, { retainUntil: '2990-01-01T00:00:00.000Z' });
    const cancel = storedVersion(sender, 'cancel', message.alertId, 2, message.alert, 'false alarm');
    await alerts.appendVersion(cancel, 'cancelled', null, versionMessages(sender, cancel));
    expect(await alerts.find(message.alertId)).toMatchObject({ currentVersion: 2, state: 'cancelled' });
    expect(await db.query(`SELECT retain_until FROM gateway.alerts WHERE alert_id = $1`, [message.alertId])).toEqual([
      { retain_until: new Date('2990-01-01T00:00:00.000Z') },
    ]);
    expect(
      await db.query(`SELECT cancel_reason FROM gateway.alert_versions WHERE alert_id = $1 AND version = 2`, [
        message.alertId,
      ]),
    ).toEqual([{ cancel_reason: 'false alarm' }]);
  });

  it("lists a sender's own alerts newest first, with the current headline, up to the limit", async () => {
    const [sender, other] = [await agency(db), await agency(db)];
    const older = await submitted(db, sender, { content: alertContent({ headline: 'Older', tlp: 'GREEN' }) });
    const newer = await submitted(db, sender, {
      content: alertContent({ headline: 'Newer', category: 'route-intelligence' }),
    });
    await submitted(db, other);
    // (one transaction: now() is the same for all of them)
    await db.query(`UPDATE gateway.alerts SET created_at = created_at - interval '1 minute' WHERE alert_id = $1`, [
      older.message.alertId,
    ]);

    const listed = await alerts.listSent(sender.agencyId, 10);
    expect(listed.map((a) => [a.alertId, a.headline, a.category, a.tlp])).toEqual([
      [newer.message.alertId, 'Newer', 'route-intelligence', 'AMBER'],
      [older.message.alertId, 'Older', 'seizure', 'GREEN'],
    ]);
    expect(listed[0]).toMatchObject({ currentVersion: 1, state: 'active', erasedAt: null });
    expect(listed[0].createdAt).toBeInstanceOf(Date);
    expect((await alerts.listSent(sender.agencyId, 1)).map((a) => a.alertId)).toEqual([newer.message.alertId]);
  });

  it("an agency may see its own alerts and those delivered to it, not a match notice's nor anyone else's", async () => {
    const [me, other] = [await agency(db), await agency(db)];
    const own = await submitted(db, me);
    const deliveredToMe = await submitted(db, other);
    const onlyMatched = await submitted(db, other);
    const notMine = await submitted(db, other);
    await delivered(db, {
      recipient: me.agencyId,
      alertId: deliveredToMe.message.alertId,
      version: 1,
      sender: other.agencyId,
    });
    await delivered(db, {
      recipient: me.agencyId,
      alertId: onlyMatched.message.alertId,
      version: 1,
      sender: other.agencyId,
      kind: 'match',
    });

    const ids = [own, deliveredToMe, onlyMatched, notMine].map((s) => s.message.alertId);
    expect(await alerts.visibleTo(me.agencyId, ids)).toEqual(
      new Set([own.message.alertId, deliveredToMe.message.alertId]),
    );
  });
});
