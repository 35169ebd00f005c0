import { DataSourceOptions } from 'typeorm';
import { appDataSourceOptions } from '@hub/database/data-source';
import { AuditInitial1764201600002 } from '../migrations/1764201600002-audit-initial';
import { AuditCredentialsUnapplied1764201600402 } from '../migrations/1764201600402-audit-credentials-unapplied';
import { APPEND_ONLY_TABLES, AuditLog1764201600102 } from '../migrations/1764201600102-audit-log';
import {
  APPEND_ONLY_INDEX_TABLES,
  AuditEntrySubjects1764201600302,
} from '../migrations/1764201600302-audit-entry-subjects';
import { AuditDropTimeIndex1764201600602 } from '../migrations/1764201600602-audit-drop-time-index';

export const AUDIT_SCHEMA = 'audit';

/** Tables the service keeps up to date in place: the outbox (rows deleted once published) and the key replica. */
const MUTABLE_TABLES = ['outbox', 'credentials'] as const;

export function auditDataSourceOptions(url: string): DataSourceOptions {
  return appDataSourceOptions({
    url,
    schema: AUDIT_SCHEMA,
    entities: [],
    migrations: [
      AuditInitial1764201600002,
      AuditLog1764201600102,
      AuditEntrySubjects1764201600302,
      AuditCredentialsUnapplied1764201600402,
      AuditDropTimeIndex1764201600602,
    ],
    applicationName: 'audit-log',
    poolSize: 20,
  });
}

/**
 * The runtime role may only INSERT into and SELECT from the log tables. Everything is revoked first, because an
 * earlier version of this function granted UPDATE and DELETE on every table, and GRANT never takes anything away.
 */
export function auditGrants(role: string): string[] {
  const qualified = (tables: readonly string[]) => tables.map((table) => `"${AUDIT_SCHEMA}".${table}`).join(', ');
  return [
    `GRANT USAGE ON SCHEMA "${AUDIT_SCHEMA}" TO "${role}"`,
    `REVOKE ALL ON ALL TABLES IN SCHEMA "${AUDIT_SCHEMA}" FROM "${role}"`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${qualified(MUTABLE_TABLES)} TO "${role}"`,
    `GRANT SELECT, INSERT ON ${qualified([...APPEND_ONLY_TABLES, ...APPEND_ONLY_INDEX_TABLES])} TO "${role}"`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "${AUDIT_SCHEMA}" TO "${role}"`,
  ];
}
