import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AuditEvent, AuditEventType, Role } from '@hub/contracts/audit-event';
import {
  auditEntryLeafHash,
  canonicalJson,
  generateCheckpointKeyPair,
  keyIdFor,
  rootFromLeafHashes,
  signCheckpoint,
  verifyEntries,
} from '@hub/merkle';
import { auditEntryOf, prepareEntry } from './audit-entry';

/** An AuditEvent as the consumer sees it: parsed from JSON into the contract class and validated. */
function consumed(plain: Record<string, unknown>): AuditEvent {
  const event = plainToInstance(AuditEvent, plain);
  expect(validateSync(event, { whitelist: true })).toEqual([]);
  return event;
}

/** Consumed from the gateway's audit topic. */
const gateway = (plain: Record<string, unknown>) => auditEntryOf(consumed(plain), 'agency-gateway');

const delivered = {
  eventId: 'delivered:5b0c2c1e-3d33-4c5f-9d1a-8c2f0a6f6b11',
  type: AuditEventType.AlertDelivered,
  at: '2026-05-01T10:00:00.000Z',
  actor: { service: 'agency-gateway' },
  alertId: '0f5e4b0a-7b7e-4e8e-9d7e-52b6c1a7d9aa',
  version: 1,
  recipient: 'KG-DCS',
  details: { deliveryId: '5b0c2c1e-3d33-4c5f-9d1a-8c2f0a6f6b11', kind: 'alert', inboxSeq: 7 },
};

describe('auditEntryOf', () => {
  it('keeps exactly the fields the producer stated, leaving absent optional ones out, and adds who wrote it', () => {
    const entry = gateway(delivered);
    expect(entry).toEqual({ ...delivered, producer: 'agency-gateway' });
    expect(Object.keys(entry)).not.toContain('decision');
    expect(Object.keys(entry.actor)).toEqual(['service']);
  });

  it('gives a value canonicalJson accepts, although the contract class instance holds undefined fields', () => {
    const actor = { agencyId: 'TJ-DCA', keyId: '0123456789abcdef', role: Role.Agency };
    const event = consumed({ ...delivered, actor });
    expect(() => canonicalJson(event)).toThrow(/undefined/);
    expect(canonicalJson(auditEntryOf(event, 'agency-gateway'))).toBe(
      canonicalJson({ ...delivered, actor, producer: 'agency-gateway' }),
    );
  });

  it('is the same leaf for the same event however its JSON was ordered (a redelivery hashes identically)', () => {
    const reordered = Object.fromEntries(Object.entries(delivered).reverse());
    expect(auditEntryLeafHash(gateway(reordered))).toEqual(auditEntryLeafHash(gateway(delivered)));
  });
});

describe('prepareEntry', () => {
  it('stores text whose parse the verifier hashes back to the very same leaf', () => {
    const prepared = prepareEntry(gateway({ ...delivered, details: { note: 'Ключ "A"\n\u2028 ✓', n: 1.5e-7 } }));
    expect(prepared.canonical).toBe(canonicalJson(prepared.entry));
    expect(auditEntryLeafHash(JSON.parse(prepared.canonical))).toEqual(prepared.leafHash);
  });

  it('keeps the event time for range queries, or null when it is not an instant with an offset', () => {
    expect(prepareEntry(gateway({ ...delivered, at: '2026-05-01T15:00:00+05:00' })).atInstant).toBe(
      '2026-05-01T10:00:00.000Z',
    );
    expect(prepareEntry(gateway({ ...delivered, at: '2026-05-01T15:00:00' })).atInstant).toBeNull();
  });

  it('produces entries that libs/merkle verifies as a log', async () => {
    const entries = Array.from({ length: 37 }, (_, i) =>
      prepareEntry(gateway({ ...delivered, eventId: `delivered:${i}`, version: 1 + (i % 3) })),
    );
    const { privateKey, publicKey } = generateCheckpointKeyPair();
    const root = rootFromLeafHashes(entries.map((e) => e.leafHash));
    const checkpoint = signCheckpoint(privateKey, keyIdFor(publicKey), entries.length, root, new Date());
    const served = entries.map((e, seq) => ({
      seq,
      entry: JSON.parse(e.canonical) as unknown,
      leafHash: e.leafHash.toString('hex'),
    }));
    const result = await verifyEntries({ entryPages: [served], latestCheckpoint: checkpoint, publicKey });
    expect(result).toMatchObject({ ok: true, treeSize: 37 });
  });

  it('keeps entries appended before `producer` existed verifying: they hash as stored, beside new ones that carry it', async () => {
    // Stored before the change: the event as stated, no producer. Its leaf is what an earlier checkpoint committed to.
    const before = Array.from({ length: 5 }, (_, i) =>
      prepareEntry({ ...delivered, eventId: `delivered:old-${i}`, details: { ...delivered.details } }),
    );
    expect(before.every((e) => !('producer' in JSON.parse(e.canonical)))).toBe(true);
    const after = Array.from({ length: 4 }, (_, i) =>
      prepareEntry(gateway({ ...delivered, eventId: `delivered:new-${i}` })),
    );
    const { privateKey, publicKey } = generateCheckpointKeyPair();
    const log = [...before, ...after];
    const sign = (size: number) =>
      signCheckpoint(
        privateKey,
        keyIdFor(publicKey),
        size,
        rootFromLeafHashes(log.slice(0, size).map((e) => e.leafHash)),
        new Date(),
      );
    const served = log.map((e, seq) => ({
      seq,
      entry: JSON.parse(e.canonical) as unknown,
      leafHash: e.leafHash.toString('hex'),
    }));
    const result = await verifyEntries({
      entryPages: [served],
      latestCheckpoint: sign(log.length),
      savedCheckpoint: sign(before.length),
      publicKey,
    });
    expect(result).toMatchObject({ ok: true, treeSize: log.length });
  });
});
