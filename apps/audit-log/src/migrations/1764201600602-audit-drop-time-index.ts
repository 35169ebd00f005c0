import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every index on the log tables is written once per appended entry, so each must serve a query of the auditor API
 * (docs/decisions/010-audit-integrity.md, "Indexes"). entries_by_time (at, seq) served none: a time-filtered page
 * (`at >= from AND at < to ORDER BY seq LIMIT n`) is planned as a primary-key scan in seq order whatever the window
 * (measured on 1M entries with fresh statistics), and the visibility query filters by agency first.
 */
export class AuditDropTimeIndex1764201600602 implements MigrationInterface {
  name = 'AuditDropTimeIndex1764201600602';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit.entries_by_time`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX entries_by_time ON audit.entries (at, seq)`);
  }
}
