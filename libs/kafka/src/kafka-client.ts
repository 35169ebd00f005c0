import { Logger } from '@nestjs/common';
import { Kafka, KafkaConfig, logLevel, LogEntry, SASLOptions } from 'kafkajs';

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/** A Kafka principal's SCRAM-SHA-512 credentials (the brokers accept no unauthenticated client). */
export interface KafkaCredentials {
  username: string;
  password: string;
}

/** kafkajs' `sasl` option for `credentials`: the one mechanism the hub's brokers enable. */
export function kafkaSasl(credentials: KafkaCredentials): SASLOptions {
  return { mechanism: 'scram-sha-512', username: credentials.username, password: credentials.password };
}

/**
 * The TLS half of the connection (PEM text, not paths): the CA that signed the brokers' certificates, and optionally a
 * client certificate and key for brokers that ask for one (ssl.client.auth). Brokers speak SASL_SSL only
 * (docs/decisions/006-trust-model.md): the client verifies the broker's chain against `ca` alone, and the address it
 * dialled against the certificate's subjectAltName (an IP SAN for 127.0.0.1, a DNS SAN for kafka-1).
 */
export interface KafkaTls {
  ca: string;
  cert?: string;
  key?: string;
}

/** Where a hub client connects and as whom: every kafkajs client of the hub is built from one of these. */
export interface KafkaConnection {
  brokers: string[];
  credentials: KafkaCredentials;
  tls: KafkaTls;
}

/**
 * The one place kafkajs' connection options are made (services, migrate, tools, tests): SASL/SCRAM-SHA-512 inside
 * TLS that trusts the given CA only (not the system's roots) and checks the broker's name.
 */
export function kafkaConnectionConfig(connection: KafkaConnection): Pick<KafkaConfig, 'brokers' | 'sasl' | 'ssl'> {
  const { ca, cert, key } = connection.tls;
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new Error('the Kafka CA is not a PEM certificate');
  if (Boolean(cert) !== Boolean(key))
    throw new Error('a Kafka client certificate needs its key, and a key its certificate');
  return {
    brokers: connection.brokers,
    sasl: kafkaSasl(connection.credentials),
    ssl: { ca: [ca], ...(cert && key ? { cert, key } : {}), rejectUnauthorized: true },
  };
}

export function createKafkaClient(clientId: string, connection: KafkaConnection): Kafka {
  return new Kafka({
    clientId,
    ...kafkaConnectionConfig(connection),
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator,
  });
}

/** kafkajs logs through Nest's logger (and so through pino) instead of its own console output. */
export function kafkaLogCreator() {
  const logger = new Logger('kafkajs');
  return ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
    logger[LEVEL_NAMES[level] ?? 'log']({ ...extra }, message);
  };
}
