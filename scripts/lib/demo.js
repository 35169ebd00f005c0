'use strict';
/**
 * Plausible traffic for a newcomer to watch: seizures at border crossings, containers, vehicles, a vessel,
 * persons of interest; then updates, a cancel, and recipients reading their inboxes and acknowledging.
 * Uses the keys that `npm start` saved in .hub/demo-keys.json.
 */
const fs = require('node:fs');
const { randomUUID } = require('node:crypto');

const DAY = 24 * 3600 * 1000;
const inDays = (days) => new Date(Date.now() + days * DAY).toISOString();

function alerts() {
  const common = { status: 'actual', urgency: 'immediate', certainty: 'observed', evaluation: { source: 'B', information: 2 } };
  return [
    {
      from: 'TJ-BF',
      body: {
        ...common,
        category: 'seizure',
        severity: 'severe',
        headline: 'Heroin seized from truck at Nizhny Pyanj crossing',
        description: '120 kg of heroin found in a false floor of a truck trailer entering from Afghanistan. Driver detained.',
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
        description: 'X-ray anomaly; consignee linked to an earlier precursor case. Controlled delivery under consideration.',
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
          { type: 'person', fullName: 'Rustam Karimov', dateOfBirth: '1986-05-14', nationality: 'TJ', documentNumber: '400123456', documentCountry: 'TJ' },
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
        subjects: [{ type: 'container', number: 'CSQU3054383' }, { type: 'phone', number: '+996555123456' }],
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

async function call(base, method, path, key, body, headers = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : null;
  if (response.status >= 400) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return parsed;
}

async function runDemo(gateway, keyFile) {
  let saved;
  try {
    saved = JSON.parse(fs.readFileSync(keyFile, 'utf8'));
  } catch {
    throw new Error(`no ${keyFile}: start the hub first with \`npm start\``);
  }
  const key = (agency) => saved.keys[agency].key;
  const say = (line) => process.stdout.write(`[demo] ${line}\n`);
  const posted = [];
  for (const { from, body } of alerts()) {
    const accepted = await call(gateway, 'POST', '/v1/alerts', key(from), body, { 'idempotency-key': randomUUID() });
    posted.push({ from, body, alertId: accepted.alertId });
    say(`${from} posted "${body.headline}" (${body.tlp}) → ${accepted.alertId}`);
  }
  const [truck, , , osh, ferry] = posted;
  // Let the coordination node route before recipients read.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const update = { ...truck.body, description: `${truck.body.description} Lab weighing: 126.4 kg.`, baseVersion: 1 };
  update.subjects = [truck.body.subjects[0], { ...truck.body.subjects[1], quantityKg: 126.4 }];
  await call(gateway, 'POST', `/v1/alerts/${truck.alertId}/versions`, key('TJ-BF'), update);
  say(`TJ-BF updated ${truck.alertId} to version 2 (weight corrected)`);
  await call(gateway, 'POST', `/v1/alerts/${ferry.alertId}/cancel`, key('AZ-SCC'), { reason: 'Cargo inspected at Alat: legitimate industrial solvent.' });
  say(`AZ-SCC cancelled ${ferry.alertId}`);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  for (const reader of ['TJ-DCA', 'KZ-CND', 'KG-BS', 'UZ-BT', 'CARICC']) {
    const page = await call(gateway, 'GET', '/v1/inbox?limit=50', key(reader));
    let acked = 0;
    for (const item of page.items) {
      if (item.kind === 'cancel') continue;
      const status = item.alertId === osh.alertId && reader === 'KZ-CND' ? 'actioned' : 'received';
      await call(gateway, 'POST', `/v1/alerts/${item.alertId}/ack`, key(reader), { version: item.version, status, note: status === 'actioned' ? 'Matched with our Khorgos case' : undefined });
      acked++;
    }
    say(`${reader} read ${page.items.length} deliveries and acknowledged ${acked}`);
  }
  say('done: open the dashboard (coordination-node, analyst key) or the inbox of any agency to see it.');
}

module.exports = { runDemo, demoAlerts: alerts };
