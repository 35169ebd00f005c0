import { minimalPlainAlert, validPlainAlert } from '@hub/contracts/alert/alert.fixtures';
import { TLP_LEVELS } from '@hub/contracts/alert/enums';
import { TLP2_MARKING_IDS, toStixBundle } from './stix';
import { interchangeView } from './interchange-view.fixtures';

const STIX_ID = /^[a-z][a-z0-9-]+--[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const STIX_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const view = interchangeView;

type Sdo = Record<string, any>;

/** STIX 2.1 rules a consumer checks first: common properties, id form, timestamps, references that resolve. */
function expectWellFormed(bundle: Sdo): Map<string, Sdo> {
  expect(bundle.type).toBe('bundle');
  expect(bundle.id).toMatch(STIX_ID);
  expect(bundle.spec_version).toBeUndefined(); // a 2.1 bundle has none
  const byId = new Map<string, Sdo>();
  for (const object of bundle.objects as Sdo[]) {
    expect(object.spec_version).toBe('2.1');
    expect(object.id).toMatch(STIX_ID);
    expect(object.id.startsWith(`${object.type}--`)).toBe(true);
    expect(object.created).toMatch(STIX_TIME);
    if (object.modified !== undefined) expect(object.modified).toMatch(STIX_TIME);
    expect(byId.has(object.id)).toBe(false);
    byId.set(object.id, object);
  }
  for (const object of byId.values()) {
    const refs = [
      ...(object.object_refs ?? []),
      ...(object.object_marking_refs ?? []),
      ...(object.created_by_ref ? [object.created_by_ref] : []),
    ];
    for (const ref of refs) expect(byId.has(ref)).toBe(true);
    for (const key of Object.keys(object)) expect(key).toMatch(/^[a-z0-9_]+$/);
    // custom properties: x_ prefix, 3 to 250 characters
    for (const key of Object.keys(object).filter((k) => k.startsWith('x_')))
      expect(key).toMatch(/^x_[a-z0-9_]{1,248}$/);
  }
  return byId;
}

describe('STIX 2.1 out', () => {
  it('a report by the sending agency, TLP 2.0 marked, location and persons as objects, the rest in x_hub_alert', () => {
    const content = validPlainAlert();
    const bundle = toStixBundle(view(content, { signature: 'header..signature' }));
    const objects = expectWellFormed(bundle);
    const report = [...objects.values()].find((o) => o.type === 'report')!;
    expect(report).toMatchObject({
      name: content.headline,
      description: content.description,
      published: '2026-12-01T10:15:30.123Z',
      labels: ['suspicious-shipment'],
      report_types: ['threat-report'],
    });
    expect(objects.get(report.created_by_ref)).toMatchObject({
      type: 'identity',
      name: 'TJ-DCA',
      identity_class: 'organization',
    });
    expect(report.object_marking_refs).toEqual([TLP2_MARKING_IDS.AMBER]);
    expect(objects.get(TLP2_MARKING_IDS.AMBER)).toMatchObject({
      type: 'marking-definition',
      name: 'TLP:AMBER',
      extensions: {
        'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': {
          extension_type: 'property-extension',
          tlp_2_0: 'amber',
        },
      },
    });
    const refTypes = report.object_refs.map((ref: string) => objects.get(ref)!.type).sort();
    expect(refTypes).toEqual(['identity', 'identity', 'location']);
    expect([...objects.values()].find((o) => o.identity_class === 'individual')).toMatchObject({ name: 'Ivan Petrov' });
    expect([...objects.values()].find((o) => o.type === 'location')).toMatchObject({
      country: 'TJ',
      latitude: 37.2,
      longitude: 68.6,
      name: 'Nizhny Panj',
    });
    expect(report.x_hub_alert).toMatchObject({
      alertId: view(null).alertId,
      version: 1,
      kind: 'alert',
      sender: 'TJ-DCA',
      signature: 'header..signature',
      content,
    });
  });

  it('every TLP level maps to its published TLP 2.0 marking-definition id', () => {
    for (const tlp of TLP_LEVELS) {
      const bundle = toStixBundle(view({ ...minimalPlainAlert(), tlp }));
      const report = (bundle.objects as Sdo[]).find((o) => o.type === 'report')!;
      expect(report.object_marking_refs).toEqual([TLP2_MARKING_IDS[tlp]]);
    }
    expect(new Set(Object.values(TLP2_MARKING_IDS)).size).toBe(5);
  });

  it('versions are distinct reports with stable ids; a cancel is a revoked report without content', () => {
    const first = toStixBundle(view(minimalPlainAlert()));
    const again = toStixBundle(view(minimalPlainAlert()));
    const second = toStixBundle(view(minimalPlainAlert(), { version: 2, kind: 'update' }));
    const reportId = (bundle: Sdo) => (bundle.objects as Sdo[]).find((o) => o.type === 'report')!.id;
    expect(reportId(first)).toBe(reportId(again));
    expect(reportId(second)).not.toBe(reportId(first));
    const cancel = toStixBundle(view(null, { version: 3, kind: 'cancel', cancelReason: 'cleared' }));
    const objects = expectWellFormed(cancel);
    const report = [...objects.values()].find((o) => o.type === 'report')!;
    expect(report).toMatchObject({ revoked: true, x_hub_alert: { kind: 'cancel', cancelReason: 'cleared' } });
    expect(report.x_hub_alert.content).toBeUndefined();
    expect([...objects.values()].map((o) => o.type).sort()).toEqual(['identity', 'report']);
  });
});
