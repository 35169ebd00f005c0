import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Topic } from '@hub/contracts/topics';
import {
  api,
  awaitMoreAccepted,
  deadLetterHighWatermark,
  deadLettersSince,
  expectEverythingDelivered,
  expectNothingDeadLettered,
  expectRetriesReturnOriginal,
  createAgency,
  expectEventually,
  queryDatabase,
  startAlertLoad,
  startService,
  stopService,
  testEnvironment,
  withDatabaseClient,
} from '@hub/testing';

/**
 * The database goes away under load, in the two shapes seen in production: logins refused for 20 s (a credential
 * rotation gone wrong, "too many clients") and backends terminated again and again (a restart or failover). Every
 * accepted alert must still reach its recipient exactly once, every audit fact must be in the log, no service may
 * exit, nothing good may be dead-lettered, and the clients must see 503s, not 500s. Then: a backlog of outbox rows
 * too large for one produce request drains after a restart, and a row too large for Kafka is dead-lettered alone.
 */
const env = testEnvironment();
const RUNTIME_ROLES = ['hub_gateway', 'hub_coordination', 'hub_audit'];
const APPS = ['agency-gateway', 'coordination-node', 'audit-log'] as const;
const FAULT_MS = 20_000;
const PID_DIR = path.join(__dirname, '..', '.hub', 'test-pids');

jest.setTimeout(420_000);

function servicePids(): Record<string, number> {
  return Object.fromEntries(
    APPS.map((app) => [app, Number(fs.readFileSync(path.join(PID_DIR, `${app}.pid`), 'utf8'))]),
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const asOwner = <T>(work: (client: import('pg').Client) => Promise<T>) => withDatabaseClient(env.databaseUrl, work);

async function terminateHubBackends(): Promise<void> {
  await asOwner((client) =>
    client.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ANY($1::text[]) AND datname = current_database()`,
      [RUNTIME_ROLES],
    ),
  );
}

/** Runs the load around `fault`, then checks every promise the hub made to the load's clients. */
async function underLoadThenCheck(fault: () => Promise<void>): Promise<void> {
  const sender = await createAgency('TJ');
  const recipient = await createAgency('KG');
  const pids = servicePids();
  const deadLettersBefore = await deadLetterHighWatermark();
  // The gateway must know both agencies before the load starts (reference data is replicated through Kafka).
  await expectEventually(
    async () => (await api(env.gateway, 'GET', '/v1/inbox?limit=1', { key: recipient.key })).status === 200,
    {
      description: 'recipient key accepted',
    },
  );

  const load = startAlertLoad({ senderKey: sender.key, recipients: [recipient.id], clients: 8, intervalMs: 250 });
  await awaitMoreAccepted(load, 20, 'the load under way before the fault');
  await fault();
  await awaitMoreAccepted(load, 20, 'alerts accepted again after the fault');
  const result = await load.stop();

  // The clients: every submission accepted in the end; failures answered 503 (a dependency), never 500 (a bug).
  expect(result.unfinished).toEqual([]);
  // At least the 20 accepted before the fault and the 20 after it (awaitMoreAccepted).
  expect(result.accepted.length).toBeGreaterThanOrEqual(40);
  const statuses = Object.fromEntries(result.statuses);
  expect(
    Object.keys(statuses)
      .map(Number)
      .filter((status) => status >= 500 && status !== 503),
  ).toEqual([]);
  expect(statuses[503] ?? 0).toBeGreaterThan(0);

  await expectEverythingDelivered(result.accepted, recipient, sender.id);
  await expectRetriesReturnOriginal(sender.key, result.accepted);

  // No service exited or restarted.
  expect(servicePids()).toEqual(pids);
  for (const pid of Object.values(pids)) expect(alive(pid)).toBe(true);
  // Nothing of this load was dead-lettered: the outage was waited out.
  await expectNothingDeadLettered(deadLettersBefore, [sender.id, recipient.id]);
  for (const [name, base] of Object.entries({
    gateway: env.gateway,
    coordination: env.coordination,
    audit: env.audit,
  })) {
    await expectEventually(async () => (await api(base, 'GET', '/health')).status === 200, {
      description: `${name} healthy again`,
    });
  }
}

describe('database faults under load', () => {
  afterAll(async () => {
    await asOwner(async (client) => {
      for (const role of RUNTIME_ROLES) await client.query(`ALTER ROLE "${role}" LOGIN`);
    });
  });

  it('logins refused for 20 s: nothing accepted is lost or dead-lettered, no service exits, clients get 503', async () => {
    await underLoadThenCheck(async () => {
      await asOwner(async (client) => {
        for (const role of RUNTIME_ROLES) await client.query(`ALTER ROLE "${role}" NOLOGIN`);
      });
      try {
        await terminateHubBackends();
        await new Promise((resolve) => setTimeout(resolve, FAULT_MS));
      } finally {
        await asOwner(async (client) => {
          for (const role of RUNTIME_ROLES) await client.query(`ALTER ROLE "${role}" LOGIN`);
        });
      }
    });
  });

  it('backends terminated every 200 ms for 20 s (a restart, a failover): the same guarantees', async () => {
    await underLoadThenCheck(async () => {
      const until = Date.now() + FAULT_MS;
      while (Date.now() < until) {
        await terminateHubBackends();
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    });
    // Each service holds one LISTEN connection again, not one per lost connection (they used to pile up until the
    // server ran out of slots).
    const listening = await expectEventually(
      async () => {
        const rows = await queryDatabase<{ name: string; n: number }>(
          `SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND application_name LIKE '%-listen' GROUP BY 1 ORDER BY 1`,
        );
        return rows.length === 2 && rows.every((row) => row.n === 1) ? rows : false;
      },
      { timeoutMs: 30_000, description: 'one LISTEN connection per service' },
    );
    expect(listening.map((row) => row.name)).toEqual(['agency-gateway-listen', 'coordination-node-listen']);
  });

  it('a backlog of outbox rows larger than one produce request drains after a restart; a row too large for Kafka is dead-lettered alone', async () => {
    const run = randomUUID().slice(0, 8);
    const deadLettersBefore = await deadLetterHighWatermark();
    await stopService('coordination-node');
    const eventIds = Array.from({ length: 400 }, (_, i) => `backlog-${run}-${i}`);
    const oversized = `backlog-${run}-oversized`;
    let oversizedRowId = '';
    try {
      // 400 audit facts of ~20 KB (a correlation notice on a much-reported container is ~13 KB): 8 MB in all, far
      // over the broker's 1 MiB per partition batch if sent in one request. And one of 1.5 MB, over any request.
      const event = (eventId: string, padding: number) =>
        JSON.stringify({
          eventId,
          type: 'correlation.found',
          at: new Date().toISOString(),
          actor: { service: 'coordination-node' },
          details: { run, padding: 'x'.repeat(padding) },
        });
      await asOwner(async (client) => {
        await client.query(
          `INSERT INTO coordination.outbox (topic, key, value) SELECT $1, 'backlog-' || i, v FROM unnest($2::text[]) WITH ORDINALITY AS t(v, i)`,
          [Topic.AuditEventsFromCoordination, eventIds.map((id) => event(id, 20_000))],
        );
        const [row] = (
          await client.query(`INSERT INTO coordination.outbox (topic, key, value) VALUES ($1, $2, $3) RETURNING id`, [
            Topic.AuditEventsFromCoordination,
            oversized,
            event(oversized, 1_500_000),
          ])
        ).rows;
        oversizedRowId = String(row.id);
      });
    } finally {
      await startService('coordination-node');
    }

    await expectEventually(
      async () => {
        const [{ pending }] = await queryDatabase<{ pending: number }>(
          `SELECT count(*)::int AS pending FROM coordination.outbox`,
        );
        return pending === 0;
      },
      { timeoutMs: 90_000, description: 'the outbox drained' },
    );
    await expectEventually(
      async () => {
        const [{ n }] = await queryDatabase<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit.entries WHERE event_id = ANY($1::text[])`,
          [eventIds],
        );
        return n === eventIds.length;
      },
      { timeoutMs: 120_000, intervalMs: 1000, description: 'every backlog fact appended to the audit log' },
    );
    const dead = await expectEventually(
      async () =>
        (await deadLettersSince(deadLettersBefore)).find(
          (record) => record.headers['x-origin-offset'] === `outbox:coordination:${oversizedRowId}`,
        ),
      { description: 'the oversized row on the dead-letter topic' },
    );
    expect(dead.headers['x-origin-topic']).toBe(Topic.AuditEventsFromCoordination);
    expect(dead.headers['x-error']).toMatch(/too large|MESSAGE_TOO_LARGE|larger/i);
    expect(JSON.parse(dead.value).eventId).toBe(oversized);
    const [{ n: oversizedInLog }] = await queryDatabase<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit.entries WHERE event_id = $1`,
      [oversized],
    );
    expect(oversizedInLog).toBe(0);
  });
});
