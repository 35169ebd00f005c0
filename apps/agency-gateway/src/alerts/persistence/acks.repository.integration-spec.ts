import { randomUUID } from 'node:crypto';
import { ackNoteCommitment, newContentSalt } from '@hub/merkle/content-commitment';
import { AcksRepository } from './acks.repository';
import { agency, RolledBackDatabase, submitted } from './repository-spec.fixture';

/** gateway.acks and the notes the audit log only commits to (docs/decisions/008), on the real (migrated) gateway schema. */
describe('AcksRepository on PostgreSQL', () => {
  const db = new RolledBackDatabase();
  beforeAll(() => db.connect());
  afterAll(() => db.end());
  beforeEach(() => db.begin());
  afterEach(() => db.rollback());
  const acks = new AcksRepository(db);

  it("keeps a note with its salt and commitment until the alert's notes are erased; the ack itself stays", async () => {
    const alertId = randomUUID();
    const salt = newContentSalt();
    const text = 'Stopped the truck at Kyzyl-Kiya';
    const commitment = ackNoteCommitment(salt, { note: text });
    await acks.insert({
      alertId,
      version: 1,
      recipient: 'KG-TEST',
      status: 'received',
      keyId: 'key-2',
      note: { text, salt, commitment },
    });
    await acks.insert({ alertId, version: 1, recipient: 'UZ-TEST', status: 'actioned', keyId: 'key-3', note: null });
    const stored = await db.query(
      `SELECT recipient, note, note_salt, note_commitment FROM gateway.acks WHERE alert_id = $1 ORDER BY recipient`,
      [alertId],
    );
    expect(stored).toEqual([
      { recipient: 'KG-TEST', note: text, note_salt: salt, note_commitment: commitment },
      { recipient: 'UZ-TEST', note: null, note_salt: null, note_commitment: null },
    ]);

    await acks.eraseNotes([alertId]);
    expect(await acks.latestPerRecipient(alertId)).toEqual([
      expect.objectContaining({ recipient: 'KG-TEST', status: 'received', note: null }),
      expect.objectContaining({ recipient: 'UZ-TEST', status: 'actioned', note: null }),
    ]);
    const [kept] = await db.query(
      `SELECT note_salt, note_commitment FROM gateway.acks WHERE alert_id = $1 AND recipient = 'KG-TEST'`,
      [alertId],
    );
    expect(kept).toEqual({ note_salt: null, note_commitment: commitment });
  });

  it("gives each recipient's latest ack, and one ack with its note, salt, commitment and its alert's erasure", async () => {
    const sender = await agency(db);
    const { message } = await submitted(db, sender);
    const alertId = message.alertId;
    const salt = newContentSalt();
    const commitment = ackNoteCommitment(salt, { note: 'on it' });
    const first = await acks.insert({
      alertId,
      version: 1,
      recipient: 'KG-TEST',
      status: 'received',
      keyId: 'key-2',
      note: null,
    });
    const second = await acks.insert({
      alertId,
      version: 1,
      recipient: 'KG-TEST',
      status: 'actioned',
      keyId: 'key-2',
      note: { text: 'on it', salt, commitment },
    });
    expect(Number(second)).toBeGreaterThan(Number(first));
    expect(await acks.latestPerRecipient(alertId)).toEqual([
      { recipient: 'KG-TEST', version: 1, status: 'actioned', note: 'on it', ackedAt: expect.any(Date) },
    ]);

    expect(await acks.withNote(alertId, second)).toEqual({
      id: second,
      alertId,
      version: 1,
      recipient: 'KG-TEST',
      status: 'actioned',
      ackedAt: expect.any(Date),
      note: 'on it',
      noteSalt: salt,
      noteCommitment: commitment,
      alertErasedAt: null,
    });
    expect(await acks.withNote(alertId, '999999999999')).toBeNull();
  });
});
