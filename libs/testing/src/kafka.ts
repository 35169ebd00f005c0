import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { HubService } from '@hub/contracts/topics';
import { kafkaConnectionConfig, KafkaCredentials } from '@hub/kafka/kafka-client';
import { testEnvironment } from './environment';
import { localKafkaTls } from './local-hub/kafka-tls';
import { KAFKA_ADMIN, principal as localPrincipal } from './local-hub/principals';

export { KAFKA_ADMIN, localKafkaTls };

export type TestPrincipal = typeof KAFKA_ADMIN | HubService;

/** The credentials of `principal` on the test broker. */
export function testKafkaCredentials(principal: TestPrincipal = KAFKA_ADMIN): KafkaCredentials {
  // The variable `npm test` put the principal's password in (from the same table the broker was formatted with).
  const { variable } = localPrincipal(principal);
  const password = process.env[variable];
  if (!password) throw new Error(`${variable} is not set: run integration tests through \`npm test\``);
  return { username: principal, password };
}

/** kafkajs connection options (brokers, SASL, TLS with the run's CA) of `principal` on `brokers` (the test broker). */
export function testKafkaConnection(principal: TestPrincipal = KAFKA_ADMIN, brokers = testEnvironment().brokers) {
  return kafkaConnectionConfig({ brokers, credentials: testKafkaCredentials(principal), tls: localKafkaTls() });
}

/**
 * A kafkajs client of the test broker, authenticated as `principal`: the admin by default, or a service's own principal
 * to act with exactly that service's permissions.
 */
export function testKafka(clientIdPrefix: string, principal: TestPrincipal = KAFKA_ADMIN): Kafka {
  return new Kafka({
    clientId: `${clientIdPrefix}-${randomUUID().slice(0, 8)}`,
    ...testKafkaConnection(principal),
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });
}
