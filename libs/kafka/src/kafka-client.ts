import { Logger } from '@nestjs/common';
import { Kafka, logLevel, LogEntry, SASLOptions } from 'kafkajs';

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

export function createKafkaClient(clientId: string, brokers: string[], credentials: KafkaCredentials): Kafka {
  return new Kafka({
    clientId,
    brokers,
    sasl: kafkaSasl(credentials),
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
