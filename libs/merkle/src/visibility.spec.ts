import { canonicalJson } from './canonical-json';
import { hashToHex, leafHashOfUtf8 } from './hashing';
import { appendLeaves, InMemoryMerkleNodeStore } from './node-store';
import { inclusionProof, rootAt } from './proofs';
import { checkProvenFacts, deriveVisibility, provingSeqs, VisibilityFact } from './visibility';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const entry = (fields: Record<string, unknown>) =>
  canonicalJson({ eventId: `e-${Math.random()}`, details: {}, ...fields });

/** A small log about KG-DCS: decided, delivered, read, withheld, denied, someone else's facts, and one after T. */
function sampleFacts(): VisibilityFact[] {
  return [
    entry({
      type: 'routing.decided',
      at: '2026-12-01T10:00:00.000Z',
      actor: { service: 'coordination-node' },
      alertId: A,
      version: 1,
      details: {
        delivered: [
          { recipient: 'KG-DCS', reason: 'ADDRESSED', deliveryId: 'd1' },
          { recipient: 'UZ-NCDC', reason: 'ADDRESSED', deliveryId: 'd2' },
        ],
        withheld: [{ reason: 'NOT_ADDRESSED', agencies: ['KZ-CND'] }],
      },
    }),
    entry({
      type: 'alert.delivered',
      at: '2026-12-01T10:00:01.000Z',
      actor: { service: 'agency-gateway' },
      alertId: A,
      version: 1,
      recipient: 'KG-DCS',
      details: { deliveryId: 'd1', kind: 'alert' },
    }),
    entry({
      type: 'alert.delivered',
      at: '2026-12-01T10:00:01.000Z',
      actor: { service: 'agency-gateway' },
      alertId: A,
      version: 1,
      recipient: 'UZ-NCDC',
      details: { deliveryId: 'd2', kind: 'alert' },
    }),
    entry({
      type: 'inbox.read',
      at: '2026-12-01T10:05:00.000Z',
      actor: { agencyId: 'KG-DCS' },
      details: { items: [{ alertId: A, version: 1, deliveryId: 'd1', kind: 'alert' }] },
    }),
    entry({
      type: 'routing.decided',
      at: '2026-12-01T11:00:00.000Z',
      actor: { service: 'coordination-node' },
      alertId: B,
      version: 1,
      details: { delivered: [], withheld: [{ reason: 'RED_NOT_ADDRESSED', agencies: ['KG-DCS', 'KZ-CND'] }] },
    }),
    entry({
      type: 'access.denied',
      at: '2026-12-01T11:01:00.000Z',
      actor: { agencyId: 'KG-DCS' },
      alertId: B,
      reason: 'not-a-recipient',
      details: { action: 'read' },
    }),
    // the older per-candidate format
    entry({
      type: 'routing.decided',
      at: '2026-12-01T11:02:00.000Z',
      actor: { service: 'coordination-node' },
      alertId: B,
      version: 2,
      recipient: 'KG-DCS',
      decision: 'delivered',
      reason: 'ADDRESSED',
      details: {},
    }),
    entry({
      type: 'alert.read',
      at: '2026-12-01T12:00:00.000Z',
      actor: { agencyId: 'KG-DCS' },
      alertId: A,
      version: 1,
      details: { as: 'recipient' },
    }),
  ].map((text, seq) => ({ seq, entry: text }));
}

describe('deriveVisibility: what an agency could see at T, from the facts alone', () => {
  it('entitled, delivered, read and denied, each with the seq of its fact; nothing after T, nothing of others', () => {
    const items = deriveVisibility(sampleFacts(), 'KG-DCS', '2026-12-01T11:30:00.000Z');
    expect(items.entitled).toEqual([
      { alertId: A, version: 1, reason: 'ADDRESSED', deliveryId: 'd1', seq: 0 },
      { alertId: B, version: 2, reason: 'ADDRESSED', deliveryId: null, seq: 6 },
    ]);
    expect(items.delivered).toEqual([
      { alertId: A, version: 1, kind: 'alert', deliveryId: 'd1', at: '2026-12-01T10:00:01.000Z', seq: 1 },
    ]);
    expect(items.read).toEqual([
      { alertId: A, version: 1, deliveryId: 'd1', how: 'inbox.read', at: '2026-12-01T10:05:00.000Z', seq: 3 },
    ]);
    expect(items.denied).toEqual([
      { alertId: B, version: 1, reason: 'RED_NOT_ADDRESSED', how: 'withheld', at: '2026-12-01T11:00:00.000Z', seq: 4 },
      {
        alertId: B,
        version: null,
        reason: 'not-a-recipient',
        how: 'access-denied',
        at: '2026-12-01T11:01:00.000Z',
        seq: 5,
      },
    ]);
    expect(provingSeqs(items)).toEqual([0, 1, 3, 4, 5, 6]);
    // T is inclusive, and later facts join as T moves
    expect(deriveVisibility(sampleFacts(), 'KG-DCS', '2026-12-01T12:00:00.000Z').read.map((r) => r.how)).toEqual([
      'inbox.read',
      'alert.read',
    ]);
    expect(deriveVisibility(sampleFacts(), 'KG-DCS', '2026-12-01T09:59:59.999Z')).toEqual({
      entitled: [],
      delivered: [],
      read: [],
      denied: [],
    });
    expect(deriveVisibility(sampleFacts(), 'UZ-NCDC', '2026-12-01T12:00:00.000Z').delivered.map((d) => d.seq)).toEqual([
      2,
    ]);
  });

  it('takes a fact only from the service that owns its type: a routing decision written by the gateway proves nothing', () => {
    const decided = (producer: string) =>
      entry({
        type: 'routing.decided',
        at: '2026-12-01T10:00:00.000Z',
        actor: { service: 'coordination-node' },
        alertId: A,
        version: 1,
        details: { delivered: [{ recipient: 'KG-DCS', reason: 'ADDRESSED', deliveryId: 'd1' }] },
        producer,
      });
    const at = '2026-12-01T11:00:00.000Z';
    expect(deriveVisibility([{ seq: 0, entry: decided('agency-gateway') }], 'KG-DCS', at).entitled).toEqual([]);
    expect(deriveVisibility([{ seq: 0, entry: decided('audit-log') }], 'KG-DCS', at).entitled).toEqual([]);
    expect(deriveVisibility([{ seq: 0, entry: decided('coordination-node') }], 'KG-DCS', at).entitled).toEqual([
      { alertId: A, version: 1, reason: 'ADDRESSED', deliveryId: 'd1', seq: 0 },
    ]);
  });

  it('checkProvenFacts accepts honest proofs and names a changed entry or a wrong proof', async () => {
    const facts = sampleFacts();
    const store = new InMemoryMerkleNodeStore();
    store.put(
      await appendLeaves(
        store,
        0,
        facts.map((f) => leafHashOfUtf8(f.entry)),
      ),
    );
    const checkpoint = { treeSize: facts.length, rootHash: hashToHex(await rootAt(store, facts.length)) };
    const proven = await Promise.all(
      facts.map(async (f) => ({
        ...f,
        leafHash: hashToHex(leafHashOfUtf8(f.entry)),
        proof: (await inclusionProof(store, f.seq, facts.length)).map(hashToHex),
      })),
    );
    expect(checkProvenFacts(proven, checkpoint)).toEqual([]);
    const edited = proven.map((f) => (f.seq === 3 ? { ...f, entry: f.entry.replace('d1', 'd9') } : f));
    expect(checkProvenFacts(edited, checkpoint)).toEqual(['seq 3: the entry does not hash to its leaf hash']);
    const swapped = proven.map((f) => (f.seq === 2 ? { ...f, proof: proven[5].proof } : f));
    expect(checkProvenFacts(swapped, checkpoint)).toEqual([
      "seq 2: the inclusion proof does not lead to the checkpoint's root",
    ]);
  });
});
