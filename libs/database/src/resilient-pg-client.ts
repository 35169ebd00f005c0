import { Logger } from '@nestjs/common';
import { Client, ClientConfig } from 'pg';

const logger = new Logger('PostgreSQL');

/**
 * The pg Client every pool of the hub creates (TypeORM passes `extra.Client` to pg-pool).
 *
 * A pg Client emits 'error' when its connection dies (a server restart or failover terminates backends with
 * 57P01, a network cut); an 'error' event with no listener ends the process. pg-pool listens only while a client
 * is idle and TypeORM only while a query runner holds it, and a dying connection can emit more than once, so
 * there are moments with no listener. This one listens for the client's whole life: the operation at hand fails
 * with its own error (and is retried by its caller), the pool drops the broken client, and the process lives on.
 */
export class ResilientPgClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', (error: Error & { code?: string }) => {
      logger.warn(
        { err: error.message, code: error.code },
        'database connection lost; the operation in progress fails and is retried',
      );
    });
  }
}
