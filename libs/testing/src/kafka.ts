import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { HubService } from '@hub/contracts/topics';
import { KafkaCredentials, kafkaSasl } from '@hub/kafka/kafka-client';
import { testEnvironment } from './environment';

/** The admin principal (a super user): what tests use to read and write topics directly, like an operator would. */
export const KAFKA_ADMIN = 'hub-admin';

/** The variable `npm test` puts each principal's password in (scripts/lib/kafka.js kafkaEnvironment). */
const PASSWORD_VARIABLE: Record<string, string> = {
  [KAFKA_ADMIN]: 'KAFKA_ADMIN_PASSWORD',
  [HubService.AgencyGateway]: 'GATEWAY_KAFKA_PASSWORD',
  [HubService.CoordinationNode]: 'COORDINATION_KAFKA_PASSWORD',
  [HubService.AuditLog]: 'AUDIT_KAFKA_PASSWORD',
};

export type TestPrincipal = typeof KAFKA_ADMIN | HubService;

/** The credentials of `principal` on the test broker. */
export function testKafkaCredentials(principal: TestPrincipal = KAFKA_ADMIN): KafkaCredentials {
  const variable = PASSWORD_VARIABLE[principal];
  const password = process.env[variable];
  if (!password) throw new Error(`${variable} is not set: run integration tests through \`npm test\``);
  return { username: principal, password };
}

/**
 * A kafkajs client of the test broker, authenticated as `principal`: the admin by default, or a service's own principal
 * to act with exactly that service's permissions.
 */
export function testKafka(clientIdPrefix: string, principal: TestPrincipal = KAFKA_ADMIN): Kafka {
  return new Kafka({
    clientId: `${clientIdPrefix}-${randomUUID().slice(0, 8)}`,
    brokers: testEnvironment().brokers,
    sasl: kafkaSasl(testKafkaCredentials(principal)),
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });
}
