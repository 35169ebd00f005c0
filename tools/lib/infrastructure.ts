import {
  assertPlainHttpEnvironment,
  kafkaEnvironment,
  LocalBroker,
  portEnvironment,
  startKafka,
  TEST_SLOT,
} from '@hub/testing/local-hub';
import { databaseUrl, ensureDatabase } from './postgres';
import { log } from './run';

const LOCAL_ADMIN_KEY = 'local-admin-key-change-me';

export type HubEnvironment = NodeJS.ProcessEnv;

/** The environment of one hub instance, dev (npm start) or test (npm test), on different ports and databases. */
export async function bringUpInfrastructure(
  kind: 'dev' | 'test',
): Promise<{ env: HubEnvironment; kafka: LocalBroker }> {
  const test = kind === 'test';
  assertPlainHttpEnvironment(process.env);
  const ports = portEnvironment(test ? 13000 + TEST_SLOT * 100 : 3000);
  const env: HubEnvironment = {
    ...process.env,
    HUB_ADMIN_KEY: process.env.HUB_ADMIN_KEY || (test ? 'test-admin-key-0123456789' : LOCAL_ADMIN_KEY),
    // npm start honours ports set in the environment; a test run always uses its slot's.
    ...(test
      ? ports
      : Object.fromEntries(Object.entries(ports).map(([variable, port]) => [variable, process.env[variable] || port]))),
    LOG_LEVEL: process.env.LOG_LEVEL || 'info',
  };
  const existing = (process.env.KAFKA_BROKERS || '').split(',').filter(Boolean);
  let kafka: LocalBroker;
  if (test || existing.length === 0) {
    kafka = await startKafka(kind, { fresh: test, owned: !test });
  } else {
    kafka = { brokers: existing, started: false, stop: async () => undefined };
    log(`using the Kafka cluster in KAFKA_BROKERS: ${existing.join(',')}`);
  }
  env.KAFKA_BROKERS = kafka.brokers.join(',');
  // Each principal's password (the local defaults unless set): the apps', and the admin's for migrate and the tests.
  Object.assign(env, kafkaEnvironment(env));
  env.DATABASE_URL = test
    ? `postgres://postgres@127.0.0.1:5432/hub_test${TEST_SLOT ? `_${TEST_SLOT}` : ''}`
    : databaseUrl('hub');
  await ensureDatabase(env.DATABASE_URL, { fresh: test });
  const database = new URL(env.DATABASE_URL);
  log(`database ${database.pathname.slice(1)} on ${database.host}`);
  return { env, kafka };
}
