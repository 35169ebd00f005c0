import {
  alertBody,
  api,
  awaitDeliveries,
  createAgency,
  expectEventually,
  inbox,
  queryDatabase,
  submitAccepted,
  testEnvironment,
  TestAgency,
} from '@hub/testing';

/**
 * Reads are recorded per request, not per item (issue "facts per outcome"): whatever the page size, a poll loop
 * can make the log hold at most one entry per request, and each entry names every version it showed.
 */
const env = testEnvironment();
const POLLS = 200;

async function readFactsOf(
  agencyId: string,
): Promise<{ type: string; items: { alertId: string; version: number; deliveryId: string }[] }[]> {
  const rows = await queryDatabase<{ type: string; entry: string }>(
    `SELECT type, entry FROM audit.entries WHERE actor_agency = $1 AND type IN ('inbox.read', 'inbox.streamed') ORDER BY seq`,
    [agencyId],
  );
  return rows.map((row) => ({ type: row.type, items: JSON.parse(row.entry).details.items }));
}

describe('inbox reads in the audit log', () => {
  let sender: TestAgency;
  let recipient: TestAgency;
  const alertIds: string[] = [];

  beforeAll(async () => {
    [sender, recipient] = await Promise.all([createAgency('TJ'), createAgency('KG')]);
    for (let i = 0; i < 3; i++) alertIds.push((await submitAccepted(sender.key, alertBody([recipient.id]))).alertId);
    for (const alertId of alertIds) await awaitDeliveries(recipient.key, alertId, (entries) => entries.length === 1);
  }, 120_000);

  it(`${POLLS} polls of an inbox holding 3 deliveries write one entry each (not 3), each naming the 3 versions`, async () => {
    // Let the reads of the set-up reach the log first, then count only what the polls add.
    const before = await expectEventually(
      async () => {
        const first = (await readFactsOf(recipient.id)).length;
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return (await readFactsOf(recipient.id)).length === first ? first : false;
      },
      { timeoutMs: 60_000, description: 'the set-up reads in the log' },
    );
    for (let i = 0; i < POLLS; i++) {
      const page = await api(env.gateway, 'GET', '/v1/inbox?limit=500', { key: recipient.key });
      expect(page.status).toBe(200);
      expect(page.body.items).toHaveLength(3);
    }
    const facts = await expectEventually(
      async () => {
        const all = await readFactsOf(recipient.id);
        return all.length >= before + POLLS ? all.slice(before) : false;
      },
      { timeoutMs: 90_000, description: `${POLLS} read facts in the log` },
    );
    expect(facts).toHaveLength(POLLS);
    for (const fact of facts) {
      expect(fact.type).toBe('inbox.read');
      expect(fact.items.map((item) => item.alertId).sort()).toEqual([...alertIds].sort());
      expect(fact.items.every((item) => item.version === 1 && typeof item.deliveryId === 'string')).toBe(true);
    }
  });

  it('finds a page read in the trail of each alert it showed', async () => {
    for (const alertId of alertIds) {
      const [{ n }] = await queryDatabase<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit.entry_subjects s JOIN audit.entries e ON e.seq = s.seq
          WHERE s.alert_id = $1 AND e.type = 'inbox.read' AND e.actor_agency = $2`,
        [alertId, recipient.id],
      );
      expect(n).toBeGreaterThanOrEqual(POLLS);
    }
    expect((await inbox(recipient.key)).filter((item) => alertIds.includes(item.alertId))).toHaveLength(3);
  });

  it('caps the inbox streams one key may hold open (429 with Retry-After beyond)', async () => {
    const controllers: AbortController[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const controller = new AbortController();
        controllers.push(controller);
        const open = await fetch(`${env.gateway}/v1/inbox/stream`, {
          headers: { authorization: `Bearer ${recipient.key}` },
          signal: controller.signal,
        });
        expect(open.status).toBe(200);
      }
      const refused = await api(env.gateway, 'GET', '/v1/inbox/stream', { key: recipient.key });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBeTruthy();
      expect(refused.body.error).toBe('rate_limited');
    } finally {
      for (const controller of controllers) controller.abort();
    }
    // Closed streams give their slots back.
    await expectEventually(
      async () => {
        const controller = new AbortController();
        const again = await fetch(`${env.gateway}/v1/inbox/stream`, {
          headers: { authorization: `Bearer ${recipient.key}` },
          signal: controller.signal,
        });
        controller.abort();
        return again.status === 200;
      },
      { description: 'a stream slot free again' },
    );
  });
});
