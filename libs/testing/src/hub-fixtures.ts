import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { iso6346CheckDigit } from '@hub/contracts/domain/iso6346';
import { api, ApiResponse } from './http';
import { testEnvironment } from './environment';
import { expectEventually } from './eventually';

const env = () => testEnvironment();

/** A fresh agency id for one test (tests share one database, so ids must not collide across runs). */
export function uniqueAgencyId(country = 'TJ'): string {
  return `${country}-T${randomBytes(4).toString('hex').toUpperCase()}`;
}

/** A valid ISO 6346 container number no other test uses (owner codes starting with Q are not issued to real owners here). */
export function uniqueContainerNumber(): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const owner = `Q${letters[randomInt(26)]}${letters[randomInt(26)]}U`;
  const serial = String(randomInt(1_000_000)).padStart(6, '0');
  return `${owner}${serial}${iso6346CheckDigit(owner + serial)}`;
}

export interface TestAgency {
  id: string;
  key: string;
  keyId: string;
}

export async function createAgency(
  country = 'TJ',
  kind: 'national-agency' | 'regional-centre' | 'partner-agency' = 'national-agency',
): Promise<TestAgency> {
  const id = uniqueAgencyId(country);
  const created = await api(env().gateway, 'POST', '/v1/admin/agencies', {
    key: env().adminKey,
    body: { id, name: `Test agency ${id}`, country, kind },
  });
  if (created.status !== 201) throw new Error(`create agency ${id}: ${created.status} ${JSON.stringify(created.body)}`);
  const issued = await issueKey(id, 'agency');
  return { id, key: issued.key, keyId: issued.keyId };
}

export async function issueKey(agencyId: string, role: 'agency' | 'analyst' | 'auditor' | 'admin', expiresAt?: string) {
  const response = await api(env().gateway, 'POST', `/v1/admin/agencies/${agencyId}/keys`, {
    key: env().adminKey,
    body: expiresAt ? { role, expiresAt } : { role },
  });
  if (response.status !== 201)
    throw new Error(`issue key for ${agencyId}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { keyId: string; key: string };
}

export async function createSharingGroup(members: string[], expiresAt?: string): Promise<string> {
  const id = `G-${randomBytes(4).toString('hex')}`;
  const response = await api(env().gateway, 'POST', '/v1/admin/sharing-groups', {
    key: env().adminKey,
    body: { id, name: `Test group ${id}`, members, ...(expiresAt ? { expiresAt } : {}) },
  });
  if (response.status !== 201) throw new Error(`create group: ${response.status} ${JSON.stringify(response.body)}`);
  return id;
}

/** A valid alert body; override any part. Restricted to the given recipients by default. */
export function alertBody(recipients: string[], overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    status: 'exercise',
    category: 'seizure',
    urgency: 'immediate',
    severity: 'severe',
    certainty: 'observed',
    headline: `Test seizure ${randomUUID().slice(0, 8)}`,
    description: 'Heroin found in a false floor of a truck trailer.',
    tlp: 'AMBER',
    handlingCode: 'H1',
    evaluation: { source: 'B', information: 2 },
    distribution: { scope: 'restricted', recipients, sharingGroups: [] },
    location: { country: 'TJ', place: 'Nizhny Pyanj' },
    subjects: [
      // A container of its own: alerts of different tests correlate (and notify their owners) only when a test means them to.
      { type: 'container', number: uniqueContainerNumber() },
      { type: 'consignment', substance: 'heroin', quantityKg: 12.5 },
    ],
    references: [],
    ...overrides,
  };
}

export async function submitAlert(
  key: string,
  body: unknown,
  idempotencyKey: string = randomUUID(),
): Promise<ApiResponse> {
  return api(env().gateway, 'POST', '/v1/alerts', { key, body, headers: { 'idempotency-key': idempotencyKey } });
}

export async function submitAccepted(
  key: string,
  body: unknown,
): Promise<{ alertId: string; version: number; messageId: string }> {
  const response = await submitAlert(key, body);
  if (response.status !== 202) throw new Error(`submit: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

export interface InboxEntry {
  deliveryId: string;
  cursor: string;
  alertId: string;
  version: number;
  kind: 'alert' | 'update' | 'cancel';
  sender: string;
  alert: Record<string, any> | null;
  cancelReason: string | null;
}

export async function inbox(key: string, after = '0'): Promise<InboxEntry[]> {
  const items: InboxEntry[] = [];
  let cursor = after;
  for (;;) {
    const page = await api(env().gateway, 'GET', `/v1/inbox?after=${cursor}&limit=500`, { key });
    if (page.status !== 200) throw new Error(`inbox: ${page.status} ${JSON.stringify(page.body)}`);
    items.push(...page.body.items);
    if (page.body.items.length < 500) return items;
    cursor = page.body.nextCursor;
  }
}

/** Waits until the agency's inbox holds deliveries of the alert matching `predicate`, and returns them. */
export async function awaitDeliveries(
  key: string,
  alertId: string,
  predicate: (entries: InboxEntry[]) => boolean,
  description = `deliveries of ${alertId}`,
): Promise<InboxEntry[]> {
  return expectEventually(
    async () => {
      const entries = (await inbox(key)).filter((entry) => entry.alertId === alertId);
      return predicate(entries) ? entries : false;
    },
    { timeoutMs: 30000, description },
  );
}

/** What the sender sees of its alert (recipients, deliveries, acks). */
export async function senderView(key: string, alertId: string): Promise<ApiResponse> {
  return api(env().gateway, 'GET', `/v1/alerts/${alertId}`, { key });
}
