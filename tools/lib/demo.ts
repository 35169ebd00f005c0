import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { api } from '@hub/testing/http';
import type { KeyFile } from './seed';

/**
 * Plausible traffic for a newcomer to watch: seizures at border crossings, containers, vehicles, a vessel,
 * persons of interest; then updates, a cancel, and recipients reading their inboxes and acknowledging.
 * Uses the keys that `npm start` saved in .hub/demo-keys.json.
 */
const DAY = 24 * 3600 * 1000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/** An alert body as the demo posts it (the contract's JSON shape; the gateway validates it). */
export type DemoAlertBody = Record<string, any>;

export function demoAlerts(): { from: string; body: DemoAlertBody }[] {
  const common = {
    status: 'actual',
    urgency: 'immediate',
    certainty: 'observed',
    evaluation: { source: 'B', information: 2 },
  };
  return [
    {
      from: 'TJ-BF',
      body: {
        ...common,
        category: 'seizure',
        severity: 'severe',
        headline: 'Heroin seized from truck at Nizhny Pyanj crossing',
        description:
          '120 kg of heroin found in a false floor of a truck trailer entering from Afghanistan. Driver detained.',
        tlp: 'GREEN',
        handlingCode: 'H1',
        distribution: { scope: 'regional', recipients: [], sharingGroups: [] },
        location: { country: 'TJ', place: 'Nizhny Pyanj border crossing', lat: 37.2, lon: 68.6 },
        subjects: [
          { type: 'vehicle', plate: '7412 AB 01', registrationCountry: 'TJ' },
          { type: 'consignment', substance: 'heroin', quantityKg: 120, concealment: 'false floor of the trailer' },
        ],
        expiresAt: inDays(30),
        references: [],
      },
    },
    {
      from: 'KZ-CND',
      body: {
        ...common,
        category: 'suspicious-shipment',
        severity: 'moderate',
        certainty: 'likely',
        headline: 'Container with declared textiles flagged at Khorgos dry port',
        description:
          'X-ray anomaly; consignee linked to an earlier precursor case. Controlled delivery under consideration.',
        tlp: 'AMBER',
        handlingCode: 'H2',
        distribution: { scope: 'restricted', recipients: ['CARICC'], sharingGroups: ['HEROIN-NORTHERN-ROUTE'] },
        location: { country: 'KZ', place: 'Khorgos Gateway dry port' },
        subjects: [{ type: 'container', number: 'CSQU3054383' }],
        references: [],
      },
    },
    {
      from: 'UZ-NIC',
      body: {
        ...common,
        category: 'person-of-interest',
        severity: 'severe',
        certainty: 'likely',
        headline: 'Courier expected to cross at Termez-Hairatan bridge',
        description: 'Known courier travelling on a Tajik passport, expected within 48 hours.',
        tlp: 'RED',
        handlingCode: 'H3',
        handlingConditions: 'Do not detain; observe and report to the originator only.',
        distribution: { scope: 'restricted', recipients: ['TJ-DCA'], sharingGroups: [] },
        location: { country: 'UZ', place: 'Termez' },
        subjects: [
          {
            type: 'person',
            fullName: 'Rustam Karimov',
            dateOfBirth: '1986-05-14',
            nationality: 'TJ',
            documentNumber: '400123456',
            documentCountry: 'TJ',
          },
          { type: 'phone', number: '+992917001122' },
        ],
        expiresAt: inDays(10),
        references: [],
      },
    },
    {
      from: 'KG-DCS',
      body: {
        ...common,
        category: 'route-intelligence',
        severity: 'moderate',
        certainty: 'possible',
        headline: 'Same container number seen in Osh transit records',
        description: 'Transit documents for container CSQU3054383 list an Osh warehouse as intermediate stop.',
        tlp: 'AMBER',
        handlingCode: 'H1',
        distribution: { scope: 'restricted', recipients: ['KZ-CND', 'CARICC'], sharingGroups: [] },
        location: { country: 'KG', place: 'Osh' },
        subjects: [
          { type: 'container', number: 'CSQU3054383' },
          { type: 'phone', number: '+996555123456' },
        ],
        references: [],
      },
    },
    {
      from: 'AZ-SCC',
      body: {
        ...common,
        category: 'suspicious-shipment',
        severity: 'moderate',
        certainty: 'possible',
        headline: 'Acetic anhydride declared as solvent on Caspian ferry',
        description: 'Ferry from Turkmenbashi to Alat; cargo manifest inconsistent with the importer profile.',
        tlp: 'AMBER',
        handlingCode: 'H1',
        distribution: { scope: 'restricted', recipients: [], sharingGroups: ['CASPIAN-MARITIME'] },
        location: { country: 'AZ', place: 'Port of Baku (Alat)' },
        subjects: [
          { type: 'vessel', imo: 'IMO 9074729' },
          { type: 'consignment', substance: 'acetic anhydride', quantityKg: 2400 },
        ],
        references: [],
      },
    },
    {
      from: 'RU-BS',
      body: {
        ...common,
        category: 'vehicle-of-interest',
        severity: 'minor',
        certainty: 'possible',
        headline: 'Truck of the Nizhny Pyanj case seen at Troitsk crossing earlier this year',
        tlp: 'GREEN',
        handlingCode: 'H0',
        distribution: { scope: 'regional', recipients: [], sharingGroups: [] },
        location: { country: 'RU', place: 'Troitsk' },
        subjects: [{ type: 'vehicle', plate: '7412-AB-01', registrationCountry: 'TJ' }],
        expiresAt: inDays(60),
        references: [],
      },
    },
  ];
}

/** One request as `key`; a status of 400 or more stops the demo, naming the request. */
async function call<T = any>(
  base: string,
  method: string,
  path: string,
  key: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await api<T>(base, method, path, { key, body, headers });
  if (response.status >= 400)
    throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

interface InboxPage {
  items: {
    deliveryId: string;
    alertId: string;
    version: number;
    kind: 'alert' | 'update' | 'cancel' | 'match' | 'hit' | string;
  }[];
}

/** Inbox items that are deliveries of an alert version, which a recipient acknowledges (not cancels, match notices, hits). */
const ACKNOWLEDGEABLE = new Set(['alert', 'update']);

export async function runDemo(gateway: string, keyFile: string): Promise<void> {
  let saved: KeyFile;
  try {
    saved = JSON.parse(fs.readFileSync(keyFile, 'utf8')) as KeyFile;
  } catch {
    throw new Error(`no ${keyFile}: start the hub first with \`npm start\``);
  }
  const key = (agency: string) => saved.keys[agency].key;
  const say = (line: string) => process.stdout.write(`[demo] ${line}\n`);
  const posted: { from: string; body: DemoAlertBody; alertId: string }[] = [];
  for (const { from, body } of demoAlerts()) {
    const accepted = await call<{ alertId: string }>(gateway, 'POST', '/v1/alerts', key(from), body, {
      'idempotency-key': randomUUID(),
    });
    posted.push({ from, body, alertId: accepted.alertId });
    say(`${from} posted "${body.headline}" (${body.tlp}) → ${accepted.alertId}`);
  }
  const [truck, , , osh, ferry] = posted;
  // Let the coordination node route before recipients read.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const update: DemoAlertBody = {
    ...truck.body,
    description: `${truck.body.description} Lab weighing: 126.4 kg.`,
    baseVersion: 1,
  };
  update.subjects = [truck.body.subjects[0], { ...truck.body.subjects[1], quantityKg: 126.4 }];
  await call(gateway, 'POST', `/v1/alerts/${truck.alertId}/versions`, key('TJ-BF'), update);
  say(`TJ-BF updated ${truck.alertId} to version 2 (weight corrected)`);
  await call(gateway, 'POST', `/v1/alerts/${ferry.alertId}/cancel`, key('AZ-SCC'), {
    reason: 'Cargo inspected at Alat: legitimate industrial solvent.',
  });
  say(`AZ-SCC cancelled ${ferry.alertId}`);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  for (const reader of ['TJ-DCA', 'KZ-CND', 'KG-BS', 'UZ-BT', 'CARICC']) {
    const page = await call<InboxPage>(gateway, 'GET', '/v1/inbox?limit=50', key(reader));
    let acked = 0;
    // A match notice is about the reader's own alert, not a delivery to acknowledge (the ack would answer 404).
    for (const item of page.items.filter((i) => ACKNOWLEDGEABLE.has(i.kind))) {
      const status = item.alertId === osh.alertId && reader === 'KZ-CND' ? 'actioned' : 'received';
      const note = status === 'actioned' ? 'Matched with our Khorgos case' : undefined;
      await call(gateway, 'POST', `/v1/alerts/${item.alertId}/ack`, key(reader), {
        version: item.version,
        status,
        note,
      });
      acked++;
    }
    say(`${reader} read ${page.items.length} inbox items and acknowledged ${acked} deliveries`);
  }
  await runRoom(gateway, key, say);
  say('done: open the dashboard (coordination-node, analyst key) or the inbox of any agency to see it.');
}

/**
 * A controlled delivery's operation room with the partner agency (AF-CND, outside the membership): a few messages,
 * and an alert addressed to the room, which reaches its members only.
 */
async function runRoom(gateway: string, key: (agency: string) => string, say: (line: string) => void): Promise<void> {
  const { roomId } = await call<{ roomId: string }>(gateway, 'POST', '/v1/rooms', key('KZ-CND'), {
    name: 'Operation Khorgos (controlled delivery)',
    purpose: 'Let the flagged Khorgos container run under watch to its consignee; AF-CND follows the origin.',
    members: ['TJ-DCA', 'KG-DCS', 'AF-CND', 'CARICC'],
    closesAt: inDays(5),
  });
  say(`KZ-CND opened operation room ${roomId} with TJ-DCA, KG-DCS, AF-CND and CARICC`);
  for (const [from, text] of [
    ['AF-CND', 'Consignment left Mazar-i-Sharif this morning, two trucks.'],
    ['TJ-DCA', 'Trucks crossed at Nizhny Pyanj at 14:05, under watch.'],
    ['KG-DCS', 'Handover at the Osh post moved to 18:00.'],
  ]) {
    await call(gateway, 'POST', `/v1/rooms/${roomId}/messages`, key(from), { text });
  }
  const accepted = await call<{ alertId: string }>(
    gateway,
    'POST',
    '/v1/alerts',
    key('KZ-CND'),
    {
      status: 'actual',
      category: 'controlled-delivery',
      urgency: 'expected',
      severity: 'severe',
      certainty: 'likely',
      evaluation: { source: 'B', information: 2 },
      headline: 'Controlled delivery: two trucks heading for Osh',
      tlp: 'AMBER',
      handlingCode: 'H2',
      distribution: { scope: 'restricted', recipients: [], sharingGroups: [], rooms: [roomId] },
      location: { country: 'KG', place: 'Osh' },
      subjects: [{ type: 'consignment', substance: 'heroin', quantityKg: 80 }],
      references: [],
    },
    { 'idempotency-key': randomUUID() },
  );
  say(`KZ-CND addressed alert ${accepted.alertId} to the room (its members only)`);
}
