import { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxTableSql } from '@hub/kafka/outbox.service';

export class AuditInitial1764201600002 implements MigrationInterface {
  name = 'AuditInitial1764201600002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(outboxTableSql('audit').up);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(outboxTableSql('audit').down);
  }
}
