'use strict';
/**
 * Seeds the CARICC member agencies (AZ, KZ, KG, RU, TJ, TM, UZ: a border agency and a drug-control or customs
 * agency each, and the regional centre) through the admin API, with local keys saved to a file. Idempotent:
 * agencies that exist are kept, and saved keys that still work are reused.
 */
const fs = require('node:fs');
const path = require('node:path');

const AGENCIES = [
  { id: 'CARICC', name: 'Central Asian Regional Information and Coordination Centre', country: 'KZ', kind: 'regional-centre' },
  { id: 'AZ-SBS', name: 'State Border Service of Azerbaijan', country: 'AZ', kind: 'national-agency' },
  { id: 'AZ-SCC', name: 'State Customs Committee of Azerbaijan', country: 'AZ', kind: 'national-agency' },
  { id: 'KZ-BS', name: 'Border Service of the National Security Committee of Kazakhstan', country: 'KZ', kind: 'national-agency' },
  { id: 'KZ-CND', name: 'Counter-Narcotics Department, Ministry of Internal Affairs of Kazakhstan', country: 'KZ', kind: 'national-agency' },
  { id: 'KG-BS', name: 'Border Service of the Kyrgyz Republic', country: 'KG', kind: 'national-agency' },
  { id: 'KG-DCS', name: 'Drug Control Service of the Kyrgyz Republic', country: 'KG', kind: 'national-agency' },
  { id: 'RU-BS', name: 'Border Service of the Russian Federation', country: 'RU', kind: 'national-agency' },
  { id: 'RU-GUNK', name: 'Main Directorate for Drug Control, Ministry of Internal Affairs of Russia', country: 'RU', kind: 'national-agency' },
  { id: 'TJ-BF', name: 'Border Forces of the Republic of Tajikistan', country: 'TJ', kind: 'national-agency' },
  { id: 'TJ-DCA', name: 'Drug Control Agency of the Republic of Tajikistan', country: 'TJ', kind: 'national-agency' },
  { id: 'TM-SBS', name: 'State Border Service of Turkmenistan', country: 'TM', kind: 'national-agency' },
  { id: 'TM-SCS', name: 'State Customs Service of Turkmenistan', country: 'TM', kind: 'national-agency' },
  { id: 'UZ-BT', name: 'Border Troops of the Republic of Uzbekistan', country: 'UZ', kind: 'national-agency' },
  { id: 'UZ-NIC', name: 'National Information-Analytical Centre on Drug Control of Uzbekistan', country: 'UZ', kind: 'national-agency' },
];

const SHARING_GROUPS = [
  { id: 'HEROIN-NORTHERN-ROUTE', name: 'Northern route (Afghan opiates) working group', members: ['TJ-DCA', 'KG-DCS', 'KZ-CND', 'UZ-NIC', 'RU-GUNK'] },
  { id: 'CASPIAN-MARITIME', name: 'Caspian maritime working group', members: ['AZ-SBS', 'AZ-SCC', 'KZ-BS', 'TM-SBS', 'RU-BS'] },
];

async function call(base, method, urlPath, key, body) {
  const response = await fetch(`${base}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function keyWorks(base, key, role) {
  const probe = { agency: '/v1/inbox?limit=1', admin: '/v1/admin/agencies', analyst: '/v1/inbox?limit=1', auditor: '/v1/inbox?limit=1' }[role];
  const { status } = await call(base, 'GET', probe, key);
  // An analyst or auditor key answers 403 on the inbox: that still proves the key is valid.
  return role === 'agency' || role === 'admin' ? status === 200 : status === 403;
}

async function seedDemoAgencies(base, adminKey, keyFile) {
  for (const agency of AGENCIES) {
    const { status, body } = await call(base, 'POST', '/v1/admin/agencies', adminKey, agency);
    if (status !== 201 && status !== 409) throw new Error(`seeding agency ${agency.id}: ${status} ${JSON.stringify(body)}`);
  }
  for (const group of SHARING_GROUPS) {
    const { status, body } = await call(base, 'POST', '/v1/admin/sharing-groups', adminKey, group);
    if (status !== 201 && status !== 409) throw new Error(`seeding group ${group.id}: ${status} ${JSON.stringify(body)}`);
  }
  let saved = {};
  try {
    saved = JSON.parse(fs.readFileSync(keyFile, 'utf8')).keys || {};
  } catch {
    saved = {};
  }
  const wanted = [
    ...AGENCIES.map((a) => ({ name: a.id, agencyId: a.id, role: 'agency' })),
    { name: 'CARICC-analyst', agencyId: 'CARICC', role: 'analyst' },
    { name: 'CARICC-auditor', agencyId: 'CARICC', role: 'auditor' },
  ];
  const keys = {};
  for (const want of wanted) {
    const previous = saved[want.name];
    if (previous && (await keyWorks(base, previous.key, want.role))) {
      keys[want.name] = previous;
      continue;
    }
    const { status, body } = await call(base, 'POST', `/v1/admin/agencies/${want.agencyId}/keys`, adminKey, { role: want.role });
    if (status !== 201) throw new Error(`issuing ${want.role} key for ${want.agencyId}: ${status} ${JSON.stringify(body)}`);
    keys[want.name] = { agencyId: want.agencyId, role: want.role, keyId: body.keyId, key: body.key };
  }
  fs.mkdirSync(path.dirname(keyFile), { recursive: true });
  fs.writeFileSync(keyFile, JSON.stringify({ gateway: base, keys }, null, 2), { mode: 0o600 });
  const summary = [
    '',
    'Seeded agencies (key file .hub/demo-keys.json):',
    `  analyst (dashboard)  ${keys['CARICC-analyst'].key}`,
    `  auditor              ${keys['CARICC-auditor'].key}`,
    `  TJ-DCA (agency)      ${keys['TJ-DCA'].key}`,
    `  KG-DCS (agency)      ${keys['KG-DCS'].key}`,
    `  ${AGENCIES.length} agencies in all: ${AGENCIES.map((a) => a.id).join(', ')}`,
  ];
  return { keys, summary };
}

module.exports = { AGENCIES, SHARING_GROUPS, seedDemoAgencies };
