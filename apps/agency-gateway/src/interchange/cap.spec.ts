import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { AlertContent } from '@hub/contracts/alert/alert-content';
import { minimalPlainAlert, validPlainAlert } from '@hub/contracts/alert/alert.fixtures';
import { SubmitAlertRequest } from '@hub/contracts/alert/requests';
import { stampCanonicalIdentifiers } from '@hub/contracts/alert/subjects';
import { parseContent } from '@hub/contracts/alert/validate';
import { CAP_NAMESPACE, capPathOf, fromCapXml, toCapXml } from './cap';
import { interchangeView } from './interchange-view.fixtures';

const FIXTURES = join(__dirname, '../../../../test/fixtures/cap');

/** The content as the hub stores it: parsed by the contract, identifiers stamped. */
async function stored(plain: object): Promise<AlertContent> {
  const parsed = await parseContent(plain, SubmitAlertRequest);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  stampCanonicalIdentifiers(parsed.value.subjects);
  return JSON.parse(JSON.stringify(parsed.value));
}

const view = interchangeView;

/** Everything the hub stamps is outside the mapping: compare what a client sends. */
function unstamped(content: AlertContent): object {
  return { ...content, subjects: content.subjects.map(({ canonical: _c, ...rest }: any) => rest) };
}

describe('CAP 1.2 out', () => {
  it('valid against the OASIS CAP 1.2 schema: alert, update with references, cancel without content, regional', async () => {
    const full = await stored(validPlainAlert());
    const regional = await stored(minimalPlainAlert());
    const documents = {
      'alert.xml': toCapXml(view(full)),
      'update.xml': toCapXml(
        view(full, { version: 2, kind: 'update', previous: { version: 1, at: '2026-12-01T09:00:00Z' } }),
      ),
      'cancel.xml': toCapXml(
        view(null, {
          version: 3,
          kind: 'cancel',
          cancelReason: 'Cleared <after> inspection & checks',
          previous: { version: 2, at: '2026-12-01T09:30:00Z' },
        }),
      ),
      'regional.xml': toCapXml(view(regional)),
    };
    const dir = mkdtempSync(join(tmpdir(), 'cap-'));
    for (const [name, xml] of Object.entries(documents)) writeFileSync(join(dir, name), xml);
    const run = spawnSync(
      'java',
      [
        join(FIXTURES, 'ValidateXsd.java'),
        join(FIXTURES, 'CAP-v1.2.xsd'),
        ...Object.keys(documents).map((n) => join(dir, n)),
      ],
      { encoding: 'utf8' },
    );
    expect(run.stdout.trim().split('\n')).toEqual(Object.keys(documents).map((n) => `VALID ${join(dir, n)}`));
    expect(run.status).toBe(0);
  }, 60_000);

  it('the schema check can fail: an element out of order is reported', () => {
    const bad = toCapXml(view(minimalPlainAlert() as unknown as AlertContent)).replace(
      '<msgType>Alert</msgType>\n  <scope>Restricted</scope>',
      '<scope>Restricted</scope>\n  <msgType>Alert</msgType>',
    );
    const dir = mkdtempSync(join(tmpdir(), 'cap-'));
    writeFileSync(join(dir, 'bad.xml'), bad);
    const run = spawnSync(
      'java',
      [join(FIXTURES, 'ValidateXsd.java'), join(FIXTURES, 'CAP-v1.2.xsd'), join(dir, 'bad.xml')],
      { encoding: 'utf8' },
    );
    expect(run.stdout).toMatch(/^INVALID/);
    expect(run.status).toBe(1);
  }, 60_000);

  it('maps the envelope and the info as the issue states', async () => {
    const xml = toCapXml(
      view(await stored(validPlainAlert()), {
        version: 2,
        kind: 'update',
        previous: { version: 1, at: '2026-12-01T09:00:00.000Z' },
      }),
    );
    const alert = new XMLParser({
      ignoreAttributes: false,
      parseTagValue: false,
      isArray: (n) => n === 'parameter',
    }).parse(xml).alert;
    expect(alert['@_xmlns']).toBe(CAP_NAMESPACE);
    expect(alert).toMatchObject({
      identifier: '3f1c2b9e-8d4a-4c5e-9b7f-0a1b2c3d4e5f.v2',
      sender: 'TJ-DCA',
      sent: '2026-12-01T10:15:30+00:00',
      status: 'Actual',
      msgType: 'Update',
      scope: 'Private',
      addresses: 'KG-BS UZ-NCDC',
      references: 'TJ-DCA,3f1c2b9e-8d4a-4c5e-9b7f-0a1b2c3d4e5f.v1,2026-12-01T09:00:00+00:00',
    });
    expect(alert.info).toMatchObject({
      category: 'Security',
      event: 'suspicious-shipment',
      urgency: 'Expected',
      severity: 'Severe',
      certainty: 'Likely',
      expires: '2030-06-01T12:00:00+00:00',
    });
    expect(alert.info.parameter).toEqual(
      expect.arrayContaining([
        { valueName: 'TLP', value: 'TLP:AMBER' },
        { valueName: 'handlingCode', value: 'H1' },
      ]),
    );
    expect(alert.info.area).toMatchObject({
      areaDesc: 'Nizhny Panj',
      circle: '37.2,68.6 0',
      geocode: { valueName: 'ISO3166-1', value: 'TJ' },
    });
    expect(xml).not.toContain('canonical');
  });
});

describe('CAP 1.2 in', () => {
  it('round trip: what the hub writes reads back as the same content (every subject type, optional fields)', async () => {
    for (const plain of [
      validPlainAlert(),
      minimalPlainAlert(),
      {
        ...validPlainAlert(),
        handlingCode: 'H3',
        handlingConditions: 'Only <customs> & police',
        description: undefined,
      },
    ]) {
      const content = await stored(plain);
      const reading = fromCapXml(toCapXml(view(content)), 'TJ-DCA');
      if (!reading.ok) throw new Error(JSON.stringify(reading.errors));
      expect(reading.body).toEqual(unstamped(content));
      expect(await stored(reading.body)).toEqual(content);
    }
  });

  it('names the XML element of every problem', () => {
    const base = toCapXml(view(minimalPlainAlert() as unknown as AlertContent));
    const problems = (xml: string, caller = 'TJ-DCA') => {
      const reading = fromCapXml(xml, caller);
      return reading.ok ? [] : reading.errors.map((e) => e.path);
    };
    expect(problems('<alert>')).toEqual(['alert']);
    expect(problems('<!DOCTYPE x [<!ENTITY a "aaaa">]><alert/>')).toEqual(['alert']);
    expect(problems(base.replace(CAP_NAMESPACE, 'urn:oasis:names:tc:emergency:cap:1.1'))).toEqual(['alert']);
    expect(problems(base, 'KG-DCS')).toEqual(['alert/sender']);
    expect(problems(base.replace('<msgType>Alert</msgType>', '<msgType>Update</msgType>'))).toEqual(['alert/msgType']);
    expect(problems(base.replace('<headline>', '<instruction>Stop</instruction><headline>'))).toEqual([
      'alert/info/instruction',
    ]);
    expect(problems(base.replace('<headline>', '<colour>red</colour><headline>'))).toEqual(['alert/info/colour']);
    expect(problems(base.replace('<valueName>TLP</valueName>', '<valueName>PAP</valueName>'))).toEqual([
      'alert/info/parameter[1]/valueName',
    ]);
    expect(problems(base.replace(/<info>[\s\S]*<\/info>/, ''))).toEqual(['alert/info']);
  });

  it('contract errors are translated to the element that carries the field', () => {
    expect(capPathOf('headline')).toBe('alert/info/headline');
    expect(capPathOf('tlp')).toBe('alert/info/parameter[TLP]');
    expect(capPathOf('subjects[2].number')).toBe('alert/info/parameter[subject][2]/value (number)');
    expect(capPathOf('distribution.recipients[0]')).toBe('alert/addresses');
    expect(capPathOf('location.country')).toBe('alert/info/area/geocode[ISO3166-1]');
    expect(capPathOf('expiresAt')).toBe('alert/info/expires');
    expect(capPathOf('references[1]')).toBe('alert/incidents');
  });
});
