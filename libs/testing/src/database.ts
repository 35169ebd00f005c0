import { Client } from 'pg';
import { testEnvironment } from './environment';

/** One connection for `work`, closed afterwards whatever happens. */
export async function withDatabaseClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Reads the test database as its owner, to check what the services stored (never to stand in for them). */
export async function queryDatabase<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
  return withDatabaseClient(
    testEnvironment().databaseUrl,
    async (client) => (await client.query(sql, params)).rows as T[],
  );
}

/** Routing decisions the coordination node recorded for one alert version, by recipient. */
export async function routingDecisions(
  alertId: string,
  version = 1,
): Promise<Map<string, { decision: string; reason: string }>> {
  const rows = await queryDatabase<{ recipient: string; decision: string; reason: string }>(
    `SELECT recipient, decision, reason FROM coordination.routing_decisions WHERE alert_id = $1 AND version = $2`,
    [alertId, version],
  );
  return new Map(rows.map((row) => [row.recipient, { decision: row.decision, reason: row.reason }]));
}
