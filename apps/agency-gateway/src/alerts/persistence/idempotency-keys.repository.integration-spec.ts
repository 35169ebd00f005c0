import { randomUUID } from 'node:crypto';
import { Topic } from '@hub/contracts/topics';
import { IdempotencyKeysRepository } from './idempotency-keys.repository';
import { agency, alertContent, gatewayOutbox, RolledBackDatabase, submitted } from './repository-spec.fixture';

describe('IdempotencyKeysRepository on PostgreSQL (the submission and its claim)', () => {
  const db = new RolledBackDatabase();
  beforeAll(() => db.connect());
  afterAll(() => db.end());
  beforeEach(() => db.begin());
  afterEach(() => db.rollback());
  const keys = new IdempotencyKeysRepository(db, gatewayOutbox());

  it('writes the claim, the alert, its first version and its outbox rows in ONE statement', async () => {
    const sender = await agency(db);
    const idempotencyKey = randomUUID();
    db.statements.length = 0;
    const first = await submitted(db, sender, {
      idempotencyKey,
      retainUntil: '2990-05-06T00:00:00.000Z',
      content: alertContent({ headline: 'One statement' }),
    });
    expect(db.statements).toHaveLength(1);

    const alertId = first.message.alertId;
    expect(
      await db.query(`SELECT sender, current_version, state, retain_until FROM gateway.alerts WHERE alert_id = $1`, [
        alertId,
      ]),
    ).toEqual([
      {
        sender: sender.agencyId,
        current_version: 1,
        state: 'active',
        retain_until: new Date('2990-05-06T00:00:00.000Z'),
      },
    ]);
    const [version] = await db.query(
      `SELECT message_id, kind, content, content_salt, commitment, sender_key_id FROM gateway.alert_versions WHERE alert_id = $1 AND version = 1`,
      [alertId],
    );
    expect(version).toEqual({
      message_id: first.message.messageId,
      kind: 'alert',
      content: JSON.parse(JSON.stringify(first.message.alert)),
      content_salt: first.salt,
      commitment: first.commitment,
      sender_key_id: sender.keyId,
    });
    const outbox = await db.query<{ id: string; topic: string; key: string }>(
      `SELECT id::text, topic, key FROM gateway.outbox WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [first.outboxIds],
    );
    expect(outbox.map((row) => row.id)).toEqual(first.outboxIds);
    expect(outbox.map((row) => row.topic)).toEqual([Topic.AlertsSubmitted, Topic.AuditEventsFromGateway]);
    expect(outbox[0].key).toBe(alertId);
    expect(await keys.find(sender.agencyId, idempotencyKey)).toEqual({
      requestHash: 'a'.repeat(64),
      response: { alertId, version: 1, messageId: first.message.messageId, acceptedAt: first.message.receivedAt },
      outboxIds: first.outboxIds,
    });
  });

  it('a second submission with the same key of the same sender writes nothing and is told so; another sender may use the key', async () => {
    const [sender, other] = [await agency(db), await agency(db)];
    const idempotencyKey = randomUUID();
    const first = await submitted(db, sender, { idempotencyKey });
    await expect(submitted(db, sender, { idempotencyKey })).rejects.toThrow('not claimed');
    expect(await db.query(`SELECT alert_id FROM gateway.alerts WHERE sender = $1`, [sender.agencyId])).toEqual([
      { alert_id: first.message.alertId },
    ]);
    expect((await keys.find(sender.agencyId, idempotencyKey))?.outboxIds).toEqual(first.outboxIds);

    const others = await submitted(db, other, { idempotencyKey });
    expect(others.message.alertId).not.toBe(first.message.alertId);
    expect(await keys.find(randomUUID(), idempotencyKey)).toBeNull();
  });

  it("counts the claim's outbox rows not yet published", async () => {
    const { outboxIds } = await submitted(db, await agency(db));
    expect(await keys.unpublished(outboxIds)).toBe(2);
    await db.query(`DELETE FROM gateway.outbox WHERE id = $1`, [outboxIds[0]]);
    expect(await keys.unpublished(outboxIds)).toBe(1);
    await db.query(`DELETE FROM gateway.outbox WHERE id = $1`, [outboxIds[1]]);
    expect(await keys.unpublished(outboxIds)).toBe(0);
  });
});
