import { Client } from 'pg';
import { testEnvironment } from './environment';

/** Reads the test database as its owner, to check what the services stored (never to stand in for them). */
export async function queryDatabase<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: testEnvironment().databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Routing decisions the coordination node recorded for one alert version, by recipient. */
export async function routingDecisions(alertId: string, version = 1): Promise<Map<string, { decision: string; reason: string }>> {
  const rows = await queryDatabase<{ recipient: string; decision: string; reason: string }>(
    `SELECT recipient, decision, reason FROM coordination.routing_decisions WHERE alert_id = $1 AND version = $2`,
    [alertId, version],
  );
  return new Map(rows.map((row) => [row.recipient, { decision: row.decision, reason: row.reason }]));
}
