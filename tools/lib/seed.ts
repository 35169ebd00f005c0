import fs from 'node:fs';
import path from 'node:path';
import type { AgencyKind } from '@hub/contracts/reference';
import { api } from '@hub/testing/http';

/**
 * Seeds the CARICC member agencies (AZ, KZ, KG, RU, TJ, TM, UZ: a border agency and a drug-control or customs
 * agency each, and the regional centre) through the admin API, with local keys saved to a file. Idempotent:
 * agencies that exist are kept, and saved keys that still work are reused.
 */
export interface DemoAgency {
  id: string;
  name: string;
  country: string;
  kind: AgencyKind;
}

export const AGENCIES: readonly DemoAgency[] = [
  {
    id: 'CARICC',
    name: 'Central Asian Regional Information and Coordination Centre',
    country: 'KZ',
    kind: 'regional-centre',
  },
  { id: 'AZ-SBS', name: 'State Border Service of Azerbaijan', country: 'AZ', kind: 'national-agency' },
  { id: 'AZ-SCC', name: 'State Customs Committee of Azerbaijan', country: 'AZ', kind: 'national-agency' },
  {
    id: 'KZ-BS',
    name: 'Border Service of the National Security Committee of Kazakhstan',
    country: 'KZ',
    kind: 'national-agency',
  },
  {
    id: 'KZ-CND',
    name: 'Counter-Narcotics Department, Ministry of Internal Affairs of Kazakhstan',
    country: 'KZ',
    kind: 'national-agency',
  },
  { id: 'KG-BS', name: 'Border Service of the Kyrgyz Republic', country: 'KG', kind: 'national-agency' },
  { id: 'KG-DCS', name: 'Drug Control Service of the Kyrgyz Republic', country: 'KG', kind: 'national-agency' },
  { id: 'RU-BS', name: 'Border Service of the Russian Federation', country: 'RU', kind: 'national-agency' },
  {
    id: 'RU-GUNK',
    name: 'Main Directorate for Drug Control, Ministry of Internal Affairs of Russia',
    country: 'RU',
    kind: 'national-agency',
  },
  { id: 'TJ-BF', name: 'Border Forces of the Republic of Tajikistan', country: 'TJ', kind: 'national-agency' },
  { id: 'TJ-DCA', name: 'Drug Control Agency of the Republic of Tajikistan', country: 'TJ', kind: 'national-agency' },
  { id: 'TM-SBS', name: 'State Border Service of Turkmenistan', country: 'TM', kind: 'national-agency' },
  { id: 'TM-SCS', name: 'State Customs Service of Turkmenistan', country: 'TM', kind: 'national-agency' },
  { id: 'UZ-BT', name: 'Border Troops of the Republic of Uzbekistan', country: 'UZ', kind: 'national-agency' },
  {
    id: 'UZ-NIC',
    name: 'National Information-Analytical Centre on Drug Control of Uzbekistan',
    country: 'UZ',
    kind: 'national-agency',
  },
  {
    id: 'AF-CND',
    name: 'Counter-Narcotics Directorate of Afghanistan (partner)',
    country: 'AF',
    kind: 'partner-agency',
  },
];

export const SHARING_GROUPS: readonly { id: string; name: string; members: string[] }[] = [
  {
    id: 'HEROIN-NORTHERN-ROUTE',
    name: 'Northern route (Afghan opiates) working group',
    members: ['TJ-DCA', 'KG-DCS', 'KZ-CND', 'UZ-NIC', 'RU-GUNK'],
  },
  {
    id: 'CASPIAN-MARITIME',
    name: 'Caspian maritime working group',
    members: ['AZ-SBS', 'AZ-SCC', 'KZ-BS', 'TM-SBS', 'RU-BS'],
  },
];

type Role = 'agency' | 'admin' | 'analyst' | 'auditor';

/** A key as saved in the key file (.hub/demo-keys.json). */
export interface SavedKey {
  agencyId: string;
  role: Role;
  keyId: string;
  key: string;
}

export interface KeyFile {
  gateway: string;
  keys: Record<string, SavedKey>;
}

async function keyWorks(base: string, key: string, role: Role): Promise<boolean> {
  const probe = role === 'admin' ? '/v1/admin/agencies' : '/v1/inbox?limit=1';
  const { status } = await api(base, 'GET', probe, { key });
  // An analyst or auditor key answers 403 on the inbox: that still proves the key is valid.
  return role === 'agency' || role === 'admin' ? status === 200 : status === 403;
}

/** Seeds the agencies, groups and keys; returns the keys and the lines npm start prints about them. */
export async function seedDemoAgencies(
  base: string,
  adminKey: string,
  keyFile: string,
): Promise<{ keys: Record<string, SavedKey>; summary: string[] }> {
  for (const agency of AGENCIES) {
    const { status, body } = await api(base, 'POST', '/v1/admin/agencies', { key: adminKey, body: agency });
    if (status !== 201 && status !== 409)
      throw new Error(`seeding agency ${agency.id}: ${status} ${JSON.stringify(body)}`);
  }
  for (const group of SHARING_GROUPS) {
    const { status, body } = await api(base, 'POST', '/v1/admin/sharing-groups', { key: adminKey, body: group });
    if (status !== 201 && status !== 409)
      throw new Error(`seeding group ${group.id}: ${status} ${JSON.stringify(body)}`);
  }
  let saved: Record<string, SavedKey> = {};
  try {
    saved = (JSON.parse(fs.readFileSync(keyFile, 'utf8')) as KeyFile).keys || {};
  } catch {
    saved = {};
  }
  const wanted: { name: string; agencyId: string; role: Role }[] = [
    ...AGENCIES.map((a) => ({ name: a.id, agencyId: a.id, role: 'agency' as const })),
    { name: 'CARICC-analyst', agencyId: 'CARICC', role: 'analyst' },
    { name: 'CARICC-auditor', agencyId: 'CARICC', role: 'auditor' },
  ];
  const keys: Record<string, SavedKey> = {};
  for (const want of wanted) {
    const previous = saved[want.name];
    if (previous && (await keyWorks(base, previous.key, want.role))) {
      keys[want.name] = previous;
      continue;
    }
    const { status, body } = await api<{ keyId: string; key: string }>(
      base,
      'POST',
      `/v1/admin/agencies/${want.agencyId}/keys`,
      { key: adminKey, body: { role: want.role } },
    );
    if (status !== 201)
      throw new Error(`issuing ${want.role} key for ${want.agencyId}: ${status} ${JSON.stringify(body)}`);
    keys[want.name] = { agencyId: want.agencyId, role: want.role, keyId: body.keyId, key: body.key };
  }
  fs.mkdirSync(path.dirname(keyFile), { recursive: true });
  const file: KeyFile = { gateway: base, keys };
  fs.writeFileSync(keyFile, JSON.stringify(file, null, 2), { mode: 0o600 });
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
