import { HubService } from '@hub/contracts/topics';
import { kafkaConnectionConfig } from '@hub/kafka/kafka-client';
import { kafkaTlsEnvironment, localKafkaTls } from './kafka-tls';

/**
 * The Kafka principals of every broker the project starts: SCRAM-SHA-512 users, created when the storage is formatted
 * (`--add-scram`), named after the service (libs/kafka's principalOf is `User:<service>`), each with its password from the environment or, outside production, a documented local default
 * (the apps' config classes hold the same defaults and refuse them under NODE_ENV=production). `hub-admin` is the
 * cluster's super user: inter-broker and controller traffic, and `main.js migrate`, which creates the topics and sets
 * each service's ACLs (libs/kafka/src/kafka-access.ts). The services get nothing else.
 */
export const KAFKA_ADMIN = 'hub-admin';

export interface KafkaPrincipal {
  username: string;
  /** The environment variable that holds its password. */
  variable: string;
  localDefault: string;
}

export const KAFKA_PRINCIPALS: readonly KafkaPrincipal[] = [
  { username: KAFKA_ADMIN, variable: 'KAFKA_ADMIN_PASSWORD', localDefault: 'hub-local-only-kafka-admin' },
  {
    username: HubService.AgencyGateway,
    variable: 'GATEWAY_KAFKA_PASSWORD',
    localDefault: 'hub-local-only-kafka-gateway',
  },
  {
    username: HubService.CoordinationNode,
    variable: 'COORDINATION_KAFKA_PASSWORD',
    localDefault: 'hub-local-only-kafka-coordination',
  },
  { username: HubService.AuditLog, variable: 'AUDIT_KAFKA_PASSWORD', localDefault: 'hub-local-only-kafka-audit' },
];

export function principal(username: string): KafkaPrincipal {
  const found = KAFKA_PRINCIPALS.find((p) => p.username === username);
  if (!found) throw new Error(`unknown Kafka principal ${username}`);
  return found;
}

/** The password of a local principal: its variable, else the local default. */
export function kafkaPassword(username: string, env: NodeJS.ProcessEnv = process.env): string {
  const user = principal(username);
  const password = env[user.variable] || user.localDefault;
  // They go into server.properties (JAAS) and the --add-scram argument, neither of which can quote these.
  if (!/^[A-Za-z0-9._~+/=-]{8,}$/.test(password)) {
    throw new Error(`${user.variable} must be 8 or more characters from A-Z a-z 0-9 . _ ~ + / = - (hex or base64 is)`);
  }
  return password;
}

/**
 * kafkajs client settings for `username` (default: the admin, for tools and tests) on `brokers`: libs/kafka's
 * kafkaConnectionConfig with the local principal's password and the CA of KAFKA_SSL_CA (default the local one).
 */
export function kafkaClientConfig(
  brokers: string[],
  username: string = KAFKA_ADMIN,
  env: NodeJS.ProcessEnv = process.env,
) {
  return kafkaConnectionConfig({
    brokers,
    credentials: { username, password: kafkaPassword(username, env) },
    tls: localKafkaTls(env),
  });
}

/**
 * The environment every hub process of a run gets: each principal's password, so the apps use the broker's, and the
 * CA they must trust (KAFKA_SSL_CA).
 */
export function kafkaEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return {
    ...Object.fromEntries(KAFKA_PRINCIPALS.map((user) => [user.variable, kafkaPassword(user.username, env)])),
    ...kafkaTlsEnvironment(env),
  };
}
