import { DataSourceOptions, MixedList } from 'typeorm';
import { Logger } from '@nestjs/common';
import { ResilientPgClient } from './resilient-pg-client';

export interface AppDataSourceInput {
  url: string;
  schema: string;
  entities: MixedList<string | (new () => unknown) | object>;
  migrations: (new () => object)[];
  poolSize?: number;
  applicationName: string;
}

/** One DataSource shape for every app: its own schema, its own migrations table, never synchronize. */
export function appDataSourceOptions(input: AppDataSourceInput): DataSourceOptions {
  return {
    type: 'postgres',
    url: input.url,
    schema: input.schema,
    entities: input.entities as DataSourceOptions['entities'],
    migrations: input.migrations,
    migrationsTableName: `${input.schema}_migrations`,
    migrationsRun: false,
    synchronize: false,
    logging: ['error'],
    applicationName: input.applicationName,
    // A lost connection fails the operation at hand, never the process (see ResilientPgClient).
    extra: { max: input.poolSize ?? 10, connectionTimeoutMillis: 5000, Client: ResilientPgClient },
    poolErrorHandler: (error: Error) =>
      new Logger('PostgreSQL').warn({ err: error.message }, 'idle database connection lost'),
  };
}
