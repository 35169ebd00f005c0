import { randomInt } from 'node:crypto';
import { expectEventually, inbox, queryDatabase } from '@hub/testing';
import {
  alertBody,
  analystKey,
  awaitIndexed,
  correlationsOf,
  createAgency,
  submit,
  TestAgency,
} from './monitoring-fixtures';

const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString();

/** A date of birth no other test uses (names repeat across tests; the date keeps each test's persons its own). */
function uniqueDateOfBirth(): string {
  const day = new Date(Date.UTC(1950, 0, 1) + randomInt(20_000) * 86_400_000);
  return day.toISOString().slice(0, 10);
}

function personAlert(recipients: string[], fullName: string, dateOfBirth: string) {
  return alertBody(recipients, {
    category: 'person-of-interest',
    subjects: [{ type: 'person', fullName, dateOfBirth }],
    expiresAt: inAMonth(),
  });
}

async function matchNotices(key: string, alertId: string): Promise<any[]> {
  return (await inbox(key)).filter((item: any) => item.kind === 'match' && item.alertId === alertId);
}

describe('persons correlate across alphabets (name after transliteration + date of birth)', () => {
  let kz: TestAgency;
  let tj: TestAgency;
  let uz: TestAgency;
  let kg: TestAgency;
  let analyst: string;

  beforeAll(async () => {
    [kz, tj, uz, kg, analyst] = await Promise.all([
      createAgency('KZ'),
      createAgency('TJ'),
      createAgency('UZ'),
      createAgency('KG'),
      analystKey(),
    ]);
  });

  it('«Рахимов Фаррух Саидович» matches RAKHIMOV FARRUKH, YUSUPOVA matches Юсупова: owners notified, names only hashed', async () => {
    const [born, bornToo] = [uniqueDateOfBirth(), uniqueDateOfBirth()];
    const latin = await submit(kz.key, personAlert([tj.id], 'RAKHIMOV FARRUKH', born));
    await awaitIndexed(latin.alertId);
    const cyrillic = await submit(tj.key, personAlert([kz.id], 'Рахимов Фаррух Саидович', born));
    const older = await submit(uz.key, personAlert([kg.id], 'YUSUPOVA DILNOZA', bornToo));
    await awaitIndexed(older.alertId);
    const icao = await submit(kg.key, personAlert([uz.id], 'Юсупова Дильноза', bornToo));

    for (const [key, alertId, other] of [
      [kz.key, latin.alertId, tj.id],
      [tj.key, cyrillic.alertId, kz.id],
      [uz.key, older.alertId, kg.id],
      [kg.key, icao.alertId, uz.id],
    ]) {
      const [notice] = await expectEventually(
        async () => {
          const found = await matchNotices(key, alertId);
          return found.length > 0 ? found : false;
        },
        { timeoutMs: 60_000, description: `match notice about ${alertId}` },
      );
      expect(notice.match.otherAgencyId).toBe(other);
      expect(notice.match.text).not.toMatch(/RAKHIMOV|Рахимов|YUSUPOVA|Юсупова|FARUh/i);
      expect(await matchNotices(key, alertId)).toHaveLength(1);
    }
    const [correlation] = await correlationsOf(analyst, cyrillic.alertId);
    expect(correlation.agencies.sort()).toEqual([kz.id, tj.id].sort());
    // The analysts may see both alerts: they are shown both written forms (the record holds only the hash).
    expect(correlation.identifier).toEqual({ kind: 'person-name', key: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect([...correlation.writtenForms].sort((a: any, b: any) => a.agencyId.localeCompare(b.agencyId))).toEqual(
      [
        { alertId: latin.alertId, agencyId: kz.id, fullName: 'RAKHIMOV FARRUKH', dateOfBirth: born },
        { alertId: cyrillic.alertId, agencyId: tj.id, fullName: 'Рахимов Фаррух Саидович', dateOfBirth: born },
      ].sort((a, b) => a.agencyId.localeCompare(b.agencyId)),
    );
    const rows = await queryDatabase(
      `SELECT identifier_kind, identifier_key FROM coordination.correlations WHERE alert_id = $1`,
      [cyrillic.alertId],
    );
    expect(rows).toEqual([{ identifier_kind: 'person-name', identifier_key: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    const indexed = await queryDatabase(
      `SELECT identifier_key FROM coordination.correlation_identifiers WHERE alert_id = $1`,
      [latin.alertId],
    );
    expect(indexed.map((r) => r.identifier_key)).toEqual([rows[0].identifier_key]);
  });

  it('the same name with another date of birth does not match', async () => {
    const born = uniqueDateOfBirth();
    const first = await submit(kz.key, personAlert([tj.id], 'Рахимов Фаррух Саидович', born));
    await awaitIndexed(first.alertId);
    const otherDay = new Date(Date.parse(born) + 86_400_000).toISOString().slice(0, 10);
    const second = await submit(uz.key, personAlert([kz.id], 'RAKHIMOV FARRUKH', otherDay));
    await awaitIndexed(second.alertId);
    expect(await correlationsOf(analyst, second.alertId)).toEqual([]);
    expect(await correlationsOf(analyst, first.alertId)).toEqual([]);
    expect(await matchNotices(uz.key, second.alertId)).toEqual([]);
  });
});
