import { MigrationInterface, QueryRunner } from 'typeorm';

/** Append-only like the log tables (INSERT and SELECT only for the runtime role). */
export const APPEND_ONLY_INDEX_TABLES = ['entry_subjects'] as const;

/**
 * One fact may name several alerts and agencies (a routing outcome names every candidate, an inbox page every
 * version it showed). entry_subjects indexes them, so that the trail of an alert and the entries of an agency
 * still find such a fact. It is derived from the leaf (the writer fills it in the append transaction) and is
 * append-only like the log; verification never reads it.
 */
export class AuditEntrySubjects1764201600302 implements MigrationInterface {
  name = 'AuditEntrySubjects1764201600302';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE audit.entry_subjects (
      seq bigint NOT NULL,
      alert_id text,
      version int,
      agency text,
      decision text,
      reason text
    )`);
    await q.query(
      `CREATE INDEX entry_subjects_by_alert ON audit.entry_subjects (alert_id, seq) WHERE alert_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX entry_subjects_by_agency ON audit.entry_subjects (agency, seq) WHERE agency IS NOT NULL`,
    );
    await q.query(`REVOKE ALL ON audit.entry_subjects FROM PUBLIC`);
    await q.query(
      `CREATE TRIGGER entry_subjects_refuse_change BEFORE UPDATE OR DELETE ON audit.entry_subjects FOR EACH ROW EXECUTE FUNCTION audit.refuse_log_change()`,
    );
    await q.query(
      `CREATE TRIGGER entry_subjects_refuse_truncate BEFORE TRUNCATE ON audit.entry_subjects FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_log_change()`,
    );
    await q.query(`ALTER TABLE audit.entry_subjects ENABLE ALWAYS TRIGGER entry_subjects_refuse_change`);
    await q.query(`ALTER TABLE audit.entry_subjects ENABLE ALWAYS TRIGGER entry_subjects_refuse_truncate`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit.entry_subjects`);
  }
}
