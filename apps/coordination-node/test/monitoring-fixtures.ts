import { randomUUID } from 'node:crypto';
import {
  alertBody as hubAlertBody,
  api,
  createAgency as createHubAgency,
  expectEventually,
  issueKey,
  queryDatabase,
  readServerSentEvents,
  ServerSentEvent,
  testEnvironment,
  uniqueContainerNumber,
} from '@hub/testing';

export { queryDatabase };

/** Helpers for the coordination node's monitoring tests: agencies, alerts, and reading the analyst API. */

export const env = testEnvironment();

export interface TestAgency {
  id: string;
  key: string;
}

/** The regional centre analysts belong to (REGIONAL_CENTRE_ID's default in the test run). */
export const REGIONAL_CENTRE_ID = 'CARICC';

async function admin(method: string, path: string, body: unknown) {
  return api(env.gateway, method, path, { key: env.adminKey, body });
}

/**
 * Keys reach the coordination node through the credentials topic, a few moments after the gateway issued them:
 * waits until the node knows this one (it answers 200 or 403 instead of 401).
 */
export async function awaitKeyKnownToNode(key: string): Promise<void> {
  await expectEventually(
    async () => (await api(env.coordination, 'GET', '/v1/correlations?limit=1', { key })).status !== 401,
    {
      timeoutMs: 60000,
      description: 'the key replicated to the coordination node',
    },
  );
}

/** An agency of the shared fixtures, once the node knows its key. */
export async function createAgency(country: string): Promise<TestAgency> {
  const { id, key } = await createHubAgency(country);
  await awaitKeyKnownToNode(key);
  return { id, key };
}

/**
 * An analyst key of the regional centre. The centre agency is shared by every test of the run: created by the
 * first test that needs it (409 when it exists already).
 */
export async function analystKey(): Promise<string> {
  const created = await admin('POST', '/v1/admin/agencies', {
    id: REGIONAL_CENTRE_ID,
    name: 'Central Asian Regional Information and Coordination Centre',
    country: 'KZ',
    kind: 'regional-centre',
  });
  if (created.status !== 201 && created.status !== 409)
    throw new Error(`create ${REGIONAL_CENTRE_ID}: ${created.status} ${JSON.stringify(created.body)}`);
  const { key } = await issueKey(REGIONAL_CENTRE_ID, 'analyst');
  await awaitKeyKnownToNode(key);
  return key;
}

/** A valid ISO 6346 container number no other test uses. */
export const uniqueContainer = uniqueContainerNumber;

/** The shared test alert, as a suspicious shipment with a container no other test reports (so correlations are this test's own). */
export function alertBody(recipients: string[], overrides: Record<string, unknown> = {}): Record<string, any> {
  return hubAlertBody(recipients, {
    category: 'suspicious-shipment',
    urgency: 'expected',
    certainty: 'likely',
    headline: `Monitoring test ${randomUUID().slice(0, 8)}`,
    description: 'Container declared as dried fruit; X-ray shows dense packages.',
    subjects: [{ type: 'container', number: uniqueContainer() }],
    ...overrides,
  });
}

export async function submit(key: string, body: unknown): Promise<{ alertId: string; version: number }> {
  const response = await api(env.gateway, 'POST', '/v1/alerts', {
    key,
    body,
    headers: { 'idempotency-key': randomUUID() },
  });
  if (response.status !== 202) throw new Error(`submit: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** The newest feed cursor now: reading "after" it gives only what happens from here on. */
export async function feedHead(analyst: string): Promise<string> {
  const page = await api(env.coordination, 'GET', '/v1/feed?limit=1', { key: analyst });
  if (page.status !== 200) throw new Error(`feed: ${page.status} ${JSON.stringify(page.body)}`);
  return page.body.headCursor as string;
}

/** Every feed entry after `after`, through the paged endpoint. */
export async function feedAfter(analyst: string, after: string): Promise<any[]> {
  const entries: any[] = [];
  let cursor = after;
  for (;;) {
    const page = await api(env.coordination, 'GET', `/v1/feed?after=${cursor}&limit=500`, { key: analyst });
    if (page.status !== 200) throw new Error(`feed: ${page.status} ${JSON.stringify(page.body)}`);
    entries.push(...page.body.items);
    if (page.body.items.length < 500) return entries;
    cursor = page.body.nextCursor;
  }
}

/** Waits until the feed (after `after`) holds entries about the alert matching `predicate`. */
export async function awaitFeedEntries(
  analyst: string,
  after: string,
  alertId: string,
  predicate: (entries: any[]) => boolean,
  description: string,
): Promise<any[]> {
  return expectEventually(
    async () => {
      const entries = (await feedAfter(analyst, after)).filter((entry) => entry.alertId === alertId);
      return predicate(entries) ? entries : false;
    },
    { timeoutMs: 60000, description },
  );
}

export async function correlationsOf(analyst: string, alertId: string): Promise<any[]> {
  const response = await api(env.coordination, 'GET', `/v1/correlations?alertId=${alertId}&limit=200`, {
    key: analyst,
  });
  if (response.status !== 200) throw new Error(`correlations: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.items;
}

/** Resolves once the correlation index has processed this alert version (whether or not it matched anything). */
export async function awaitIndexed(alertId: string, version = 1): Promise<void> {
  await expectEventually(
    async () =>
      (
        await queryDatabase(
          `SELECT 1 FROM coordination.correlation_indexed_versions WHERE alert_id = $1 AND version = $2`,
          [alertId, version],
        )
      ).length === 1,
    { timeoutMs: 60000, description: `correlation index of ${alertId} v${version}` },
  );
}

/**
 * Reads the feed stream until `enough(events)` holds, then disconnects. `lastEventId` resumes like a
 * reconnecting client; `after` starts a first connection at a cursor.
 */
export function readFeedStream(
  analyst: string,
  {
    after,
    lastEventId,
    enough,
    timeoutMs = 60000,
  }: { after?: string; lastEventId?: string; enough: (events: ServerSentEvent[]) => boolean; timeoutMs?: number },
): Promise<ServerSentEvent[]> {
  const query = after !== undefined ? `?after=${after}` : '';
  return readServerSentEvents(`${env.coordination}/v1/feed/stream${query}`, analyst, {
    eventName: 'feed',
    enough,
    lastEventId,
    timeoutMs,
  });
}
