import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import {
  alertBody,
  api,
  awaitDeliveries,
  createAgency,
  submitAccepted,
  testEnvironment,
  TestAgency,
  uniqueContainerNumber,
} from '@hub/testing';

const env = testEnvironment();
const FIXTURES = join(__dirname, '../../../test/fixtures/cap');
const CAP = 'application/cap+xml';
const STIX = 'application/stix+json;version=2.1';

/** GET with an Accept header, the body as text (XML) or parsed JSON. */
async function getAs(key: string, path: string, accept: string) {
  const response = await fetch(`${env.gateway}${path}`, { headers: { authorization: `Bearer ${key}`, accept } });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    text,
    json: () => JSON.parse(text),
  };
}

function postCap(key: string, xml: string, idempotencyKey = `cap-${Math.random()}`) {
  return api(env.gateway, 'POST', '/v1/alerts', {
    key,
    rawBody: xml,
    headers: { 'content-type': CAP, 'idempotency-key': idempotencyKey },
  });
}

const parseCap = (xml: string) =>
  new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (n) => n === 'parameter' }).parse(xml).alert;

function schemaCheck(documents: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'cap-e2e-'));
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
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => line.replace(`${dir}/`, ''));
}

describe('CAP 1.2 and STIX 2.1 interchange (content negotiation, CAP submissions)', () => {
  let sender: TestAgency;
  let recipient: TestAgency;
  let outsider: TestAgency;

  beforeAll(async () => {
    [sender, recipient, outsider] = await Promise.all([createAgency('TJ'), createAgency('KG'), createAgency('UZ')]);
  });

  it('an alert, its update and its cancel as CAP 1.2 (schema-valid) and as STIX 2.1, for the sender and the recipient', async () => {
    const body = alertBody([recipient.id], {
      subjects: [
        { type: 'container', number: uniqueContainerNumber() },
        { type: 'person', fullName: 'Ivan Petrov', nationality: 'TJ' },
      ],
      expiresAt: '2030-06-01T12:00:00Z',
    });
    const { alertId } = await submitAccepted(sender.key, body);
    const [delivery] = await awaitDeliveries(recipient.key, alertId, (entries) => entries.length === 1);

    const asRecipient = await getAs(recipient.key, `/v1/alerts/${alertId}`, CAP);
    expect(asRecipient.status).toBe(200);
    expect(asRecipient.type).toMatch(/^application\/cap\+xml/);
    const cap = parseCap(asRecipient.text);
    expect(cap).toMatchObject({
      identifier: `${alertId}.v1`,
      sender: sender.id,
      status: 'Exercise',
      msgType: 'Alert',
      scope: 'Private',
      addresses: recipient.id,
    });
    expect(cap.info).toMatchObject({
      event: 'seizure',
      urgency: 'Immediate',
      severity: 'Severe',
      certainty: 'Observed',
      headline: body.headline,
    });
    expect(cap.info.parameter).toEqual(
      expect.arrayContaining([
        { valueName: 'TLP', value: 'TLP:AMBER' },
        { valueName: 'handlingCode', value: 'H1' },
      ]),
    );

    await api(env.gateway, 'POST', `/v1/alerts/${alertId}/versions`, {
      key: sender.key,
      body: { ...body, headline: 'Updated', baseVersion: 1 },
    });
    await api(env.gateway, 'POST', `/v1/alerts/${alertId}/cancel`, {
      key: sender.key,
      body: { reason: 'Cleared after inspection' },
    });
    const entries = await awaitDeliveries(recipient.key, alertId, (e) => e.length === 3);
    const update = parseCap((await getAs(recipient.key, `/v1/inbox/${entries[1].deliveryId}`, CAP)).text);
    expect(update).toMatchObject({
      msgType: 'Update',
      identifier: `${alertId}.v2`,
      references: expect.stringMatching(new RegExp(`^${sender.id},${alertId}\\.v1,\\d{4}-`)),
    });
    const cancelXml = (await getAs(recipient.key, `/v1/inbox/${entries[2].deliveryId}`, CAP)).text;
    expect(parseCap(cancelXml)).toMatchObject({ msgType: 'Cancel', note: 'Cleared after inspection' });
    const senderXml = (await getAs(sender.key, `/v1/alerts/${alertId}`, CAP)).text;
    expect(parseCap(senderXml)).toMatchObject({ msgType: 'Cancel', identifier: `${alertId}.v3` });
    expect(
      schemaCheck({
        'alert.xml': asRecipient.text,
        'update.xml': (await getAs(recipient.key, `/v1/inbox/${entries[1].deliveryId}`, CAP)).text,
        'cancel.xml': cancelXml,
        'sender.xml': senderXml,
      }),
    ).toEqual(['VALID alert.xml', 'VALID update.xml', 'VALID cancel.xml', 'VALID sender.xml']);

    const stix = await getAs(recipient.key, `/v1/inbox/${delivery.deliveryId}`, STIX);
    expect(stix.status).toBe(200);
    expect(stix.type).toMatch(/^application\/stix\+json/);
    const bundle = stix.json();
    const report = bundle.objects.find((o: { type: string }) => o.type === 'report');
    const identity = bundle.objects.find((o: { id: string }) => o.id === report.created_by_ref);
    expect(identity).toMatchObject({ type: 'identity', name: sender.id });
    expect(report).toMatchObject({
      spec_version: '2.1',
      name: body.headline,
      object_marking_refs: ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'],
    });
    expect(
      bundle.objects.some(
        (o: { type: string; identity_class?: string; name?: string }) =>
          o.identity_class === 'individual' && o.name === 'Ivan Petrov',
      ),
    ).toBe(true);

    // JSON stays the default; what cannot be produced is a 406 in the error shape; others still get 404
    expect((await getAs(recipient.key, `/v1/alerts/${alertId}`, 'application/json')).json().alertId).toBe(alertId);
    const refused = await getAs(recipient.key, `/v1/alerts/${alertId}`, 'text/html');
    expect(refused.status).toBe(406);
    expect(refused.json()).toMatchObject({ error: 'not_acceptable', details: [{ path: 'Accept' }] });
    expect((await getAs(outsider.key, `/v1/alerts/${alertId}`, CAP)).status).toBe(404);
    expect((await getAs(outsider.key, `/v1/inbox/${delivery.deliveryId}`, CAP)).status).toBe(404);
  });

  it('a CAP 1.2 alert posted to /v1/alerts is the same alert: delivered with the content it maps to (round trip)', async () => {
    const body = alertBody([recipient.id], {
      subjects: [
        { type: 'container', number: uniqueContainerNumber() },
        { type: 'consignment', substance: 'heroin', quantityKg: 12.5 },
      ],
    });
    const { alertId } = await submitAccepted(sender.key, body);
    // the sender's own alert as CAP, posted again as a new CAP alert
    const exported = (await getAs(sender.key, `/v1/alerts/${alertId}`, CAP)).text;
    const posted = await postCap(sender.key, exported);
    expect(posted.status).toBe(202);
    const [delivered] = await awaitDeliveries(recipient.key, posted.body.alertId, (e) => e.length === 1);
    const [original] = await awaitDeliveries(recipient.key, alertId, (e) => e.length === 1);
    expect(delivered.alert).toEqual(original.alert);

    // same Idempotency-Key, same document: the same 202
    const again = await postCap(sender.key, exported, 'cap-fixed-key');
    expect((await postCap(sender.key, exported, 'cap-fixed-key')).body).toEqual(again.body);
  });

  it('a CAP submission gets the same validation, with errors naming the XML element', async () => {
    const { alertId } = await submitAccepted(sender.key, alertBody([recipient.id]));
    const exported = (await getAs(sender.key, `/v1/alerts/${alertId}`, CAP)).text;
    const refused = async (xml: string) => {
      const response = await postCap(sender.key, xml);
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('validation_failed');
      return response.body.details.map((d: { path: string }) => d.path);
    };
    expect(await refused(exported.replace('TLP:AMBER', 'TLP:PURPLE'))).toEqual(['alert/info/parameter[TLP]']);
    expect(
      await refused(exported.replace(/<headline>[^<]*<\/headline>/, `<headline>${'x'.repeat(161)}</headline>`)),
    ).toEqual(['alert/info/headline']);
    expect(
      await refused(exported.replace(`<addresses>${recipient.id}</addresses>`, '<addresses>XX-NOBODY</addresses>')),
    ).toEqual(['alert/addresses']);
    expect(await refused(exported.replace('<urgency>Immediate</urgency>', '<urgency>Soon</urgency>'))).toEqual([
      'alert/info/urgency',
    ]);
    expect(await refused(exported.replace('</alert>', ''))).toEqual(['alert']);
    expect(await refused(exported.replace('<msgType>Alert</msgType>', '<msgType>Ack</msgType>'))).toEqual([
      'alert/msgType',
    ]);
    const wrongType = await api(env.gateway, 'POST', '/v1/alerts', {
      key: sender.key,
      rawBody: exported,
      headers: { 'content-type': 'text/xml', 'idempotency-key': 'x' },
    });
    expect(wrongType.status).toBe(415);
  });
});
