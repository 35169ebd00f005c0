import { storedVersion, versionMessages } from '../stored-version';
import { AlertsRepository } from './alerts.repository';
import { DeliveriesRepository } from './deliveries.repository';
import {
  agency,
  alertContent,
  delivered,
  gatewayOutbox,
  RolledBackDatabase,
  submitted,
} from './repository-spec.fixture';

describe('DeliveriesRepository on PostgreSQL (what the inbox says reached whom)', () => {
  const db = new RolledBackDatabase();
  beforeAll(() => db.connect());
  afterAll(() => db.end());
  beforeEach(() => db.begin());
  afterEach(() => db.rollback());
  const deliveries = new DeliveriesRepository(db);
  const alerts = new AlertsRepository(db, gatewayOutbox());

  /** An alert delivered to `recipient` as version 1, then updated (v2) and cancelled (v3), each delivered too. */
  async function recalled() {
    const [sender, recipient, other] = [await agency(db), await agency(db), await agency(db)];
    const first = await submitted(db, sender, { content: alertContent({ headline: 'First' }) });
    const alertId = first.message.alertId;
    const update = storedVersion(sender, 'update', alertId, 2, alertContent({ headline: 'Second' }));
    await alerts.appendVersion(update, 'active', null, versionMessages(sender, update));
    const cancel = storedVersion(sender, 'cancel', alertId, 3, update.message.alert, 'seized');
    await alerts.appendVersion(cancel, 'cancelled', null, versionMessages(sender, cancel));
    const base = { recipient: recipient.agencyId, alertId, sender: sender.agencyId };
    await delivered(db, { ...base, version: 1 });
    await delivered(db, { ...base, version: 1, kind: 'match' });
    await delivered(db, { ...base, version: 2, kind: 'update' });
    return { sender, recipient, other, alertId, base };
  }

  it('names the versions delivered to a recipient, each once, match notices aside', async () => {
    const { recipient, other, alertId, base } = await recalled();
    await delivered(db, { ...base, version: 2, kind: 'update' });
    expect((await deliveries.versionsDelivered(recipient.agencyId, alertId)).sort()).toEqual([1, 2]);
    expect(await deliveries.versionsDelivered(other.agencyId, alertId)).toEqual([]);
  });

  it('a recipient reads its latest delivery, with the content of the latest delivery that had any', async () => {
    const { sender, recipient, other, alertId, base } = await recalled();
    expect(await deliveries.latestTo(recipient.agencyId, alertId)).toMatchObject({
      version: 2,
      kind: 'update',
      sender: sender.agencyId,
      withdrawn: false,
      alert: { headline: 'Second' },
    });
    await delivered(db, { ...base, version: 3, kind: 'cancel', cancelReason: 'seized' });
    const latest = await deliveries.latestTo(recipient.agencyId, alertId);
    expect(latest).toMatchObject({
      version: 3,
      kind: 'cancel',
      cancelReason: 'seized',
      alert: { headline: 'Second' },
      signature: null,
    });
    expect(latest?.deliveredAt).toBeInstanceOf(Date);
    expect(await deliveries.latestTo(other.agencyId, alertId)).toBeNull();
  });

  it('what a recipient could forward: the latest kind, withdrawn or erased, and the content', async () => {
    const { recipient, other, alertId, base } = await recalled();
    expect(await deliveries.forwardable(recipient.agencyId, alertId)).toMatchObject({
      kind: 'update',
      withdrawn: false,
      erased: false,
      alert: { headline: 'Second' },
    });
    await db.query(`UPDATE gateway.inbox SET erased = true WHERE alert_id = $1`, [alertId]);
    expect(await deliveries.forwardable(recipient.agencyId, alertId)).toMatchObject({ erased: true });
    await delivered(db, { ...base, version: 3, kind: 'update', hasContent: false, withdrawn: true });
    expect(await deliveries.forwardable(recipient.agencyId, alertId)).toMatchObject({
      kind: 'update',
      withdrawn: true,
    });
    expect(await deliveries.forwardable(other.agencyId, alertId)).toBeNull();
  });

  it("gives each recipient's latest delivery of an alert", async () => {
    const { other, alertId, base, sender } = await recalled();
    await delivered(db, { recipient: other.agencyId, alertId, version: 1, sender: sender.agencyId });
    const latest = await deliveries.latestPerRecipient(alertId);
    expect(latest.map((d) => [d.recipient, d.version, d.kind]).sort()).toEqual(
      [
        [base.recipient, 2, 'update'],
        [other.agencyId, 1, 'alert'],
      ].sort(),
    );
  });
});
