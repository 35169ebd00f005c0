import { createHash } from 'node:crypto';
import { auditEntryLeafHash, canonicalJson } from '@hub/merkle';
import { csvField, csvHeader, csvRow, CSV_COLUMNS, entryView, StoredEntryRow } from './entry-view';

const entry = {
  eventId: 'routing:a1:1:KG-DCS',
  type: 'routing.decided',
  at: '2026-05-01T10:00:00.000Z',
  actor: { service: 'coordination-node' },
  alertId: 'a1',
  version: 1,
  recipient: 'KG-DCS',
  decision: 'withheld',
  reason: 'NOT_ADDRESSED',
  details: { note: 'comma, "quote"\nand a new line' },
};

function storedRow(seq: number, value: unknown = entry): StoredEntryRow {
  const text = canonicalJson(value);
  return { seq: String(seq), entry: text, leaf_hash: auditEntryLeafHash(value) };
}

/** A minimal RFC 4180 reader, to check that what csvRow writes reads back to the same values. */
function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      field += '"';
      i += 1;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === ',' && !quoted) {
      fields.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  fields.push(field);
  return fields;
}

describe('csvField', () => {
  it.each(['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd'])(
    'neutralises a cell a spreadsheet would run as a formula: %s',
    (value) => {
      const field = csvField(value);
      expect(parseCsvLine(field)[0]).toBe(`'${value}`);
    },
  );

  it('leaves ordinary text, numbers and ids as they are', () => {
    expect(csvField('Cleared after inspection')).toBe('Cleared after inspection');
    expect(csvField(42)).toBe('42');
    expect(csvField('TJ-DCA')).toBe('TJ-DCA');
  });
});

describe('entryView', () => {
  it('serves every field from the hashed entry, with the leaf hash from the tree', () => {
    const view = entryView(storedRow(41));
    expect(view).toEqual({
      seq: 41,
      at: entry.at,
      type: entry.type,
      actor: entry.actor,
      alertId: 'a1',
      version: 1,
      recipient: 'KG-DCS',
      decision: 'withheld',
      reason: 'NOT_ADDRESSED',
      details: entry.details,
      producer: null,
      decisions: [{ recipient: 'KG-DCS', decision: 'withheld', reason: 'NOT_ADDRESSED', deliveryId: null }],
      entry,
      leafHash: auditEntryLeafHash(entry).toString('hex'),
    });
  });

  it('expands a routing outcome (one fact per version) into every candidate decision', () => {
    const outcome = {
      eventId: 'routing:a1:1',
      type: 'routing.decided',
      at: '2026-05-01T10:00:00.000Z',
      actor: { service: 'coordination-node' },
      alertId: 'a1',
      version: 1,
      details: {
        delivered: [{ recipient: 'KG-DCS', reason: 'ADDRESSED', deliveryId: 'd-1' }],
        withheld: [
          { reason: 'NOT_ADDRESSED', agencies: ['KZ-CND', 'UZ-NIC'] },
          { reason: 'SENDER', agencies: ['TJ-DCA'] },
        ],
      },
    };
    expect(entryView(storedRow(3, outcome)).decisions).toEqual([
      { recipient: 'KG-DCS', decision: 'delivered', reason: 'ADDRESSED', deliveryId: 'd-1' },
      { recipient: 'KZ-CND', decision: 'withheld', reason: 'NOT_ADDRESSED', deliveryId: null },
      { recipient: 'UZ-NIC', decision: 'withheld', reason: 'NOT_ADDRESSED', deliveryId: null },
      { recipient: 'TJ-DCA', decision: 'withheld', reason: 'SENDER', deliveryId: null },
    ]);
    expect(entryView(storedRow(4, { ...outcome, type: 'inbox.read' })).decisions).toBeNull();
  });

  it('answers null for optional fields the entry does not state', () => {
    const { alertId: _a, version: _v, recipient: _r, decision: _d, reason: _re, ...bare } = entry;
    expect(entryView(storedRow(0, bare))).toMatchObject({
      alertId: null,
      version: null,
      recipient: null,
      decision: null,
      reason: null,
    });
  });

  it('serves an entry that no longer parses as its raw text, whose hash then differs from the leaf', () => {
    const row = storedRow(3);
    const broken = { ...row, entry: row.entry.slice(0, -1) };
    const view = entryView(broken);
    expect(view.entry).toBe(broken.entry);
    expect(view.type).toBeNull();
    expect(auditEntryLeafHash(view.entry).toString('hex')).not.toBe(view.leafHash);
  });

  it('serves a null leafHash when the tree has no leaf for the row', () => {
    expect(entryView({ ...storedRow(5), leaf_hash: null }).leafHash).toBeNull();
  });
});

describe('CSV export', () => {
  it('has one header column per value, quoting commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvHeader()).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
    const line = csvRow(storedRow(7));
    expect(line.endsWith('\r\n')).toBe(true);
    const values = parseCsvLine(line.slice(0, -2));
    expect(values).toHaveLength(CSV_COLUMNS.length);
    const byColumn = Object.fromEntries(CSV_COLUMNS.map((column, i) => [column, values[i]]));
    expect(byColumn).toMatchObject({
      seq: '7',
      type: 'routing.decided',
      actor_service: 'coordination-node',
      actor_agency: '',
      decision: 'withheld',
    });
    expect(JSON.parse(byColumn.details)).toEqual(entry.details);
  });

  it('writes the stored leaf text byte for byte, so SHA-256(0x00 || entry) is the leaf_hash column', () => {
    const values = parseCsvLine(csvRow(storedRow(7)).slice(0, -2));
    const entryText = values[CSV_COLUMNS.indexOf('entry')];
    const leafHash = createHash('sha256')
      .update(Buffer.from([0]))
      .update(entryText, 'utf8')
      .digest('hex');
    expect(leafHash).toBe(values[CSV_COLUMNS.indexOf('leaf_hash')]);
  });

  it.each([
    [null, ''],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    [12, '12'],
  ])('csvField(%j) = %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});
