/** Where the services under test are: set by `npm test` (tools/hub.ts) for the integration run. */
export interface TestEnvironment {
  gateway: string;
  coordination: string;
  audit: string;
  adminKey: string;
  brokers: string[];
  databaseUrl: string;
}

export function testEnvironment(): TestEnvironment {
  const env = process.env;
  if (!env.HUB_TEST) throw new Error('run integration tests through `npm test`');
  return {
    gateway: `http://127.0.0.1:${env.GATEWAY_PORT}`,
    coordination: `http://127.0.0.1:${env.COORDINATION_PORT}`,
    audit: `http://127.0.0.1:${env.AUDIT_PORT}`,
    adminKey: env.HUB_ADMIN_KEY as string,
    brokers: (env.KAFKA_BROKERS as string).split(','),
    databaseUrl: env.DATABASE_URL as string,
  };
}
