import { DataSourceOptions } from 'typeorm';
import { appDataSourceOptions } from '@hub/database/data-source';
import { AuditInitial1764201600002 } from '../migrations/1764201600002-audit-initial';

export const AUDIT_SCHEMA = 'audit';

export function auditDataSourceOptions(url: string): DataSourceOptions {
  return appDataSourceOptions({
    url,
    schema: AUDIT_SCHEMA,
    entities: [],
    migrations: [AuditInitial1764201600002],
    applicationName: 'audit-log',
    poolSize: 20,
  });
}

export function auditGrants(role: string): string[] {
  return [
    `GRANT USAGE ON SCHEMA "${AUDIT_SCHEMA}" TO "${role}"`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${AUDIT_SCHEMA}" TO "${role}"`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "${AUDIT_SCHEMA}" TO "${role}"`,
  ];
}
