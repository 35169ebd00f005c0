import { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxTableSql } from '@hub/kafka/outbox.service';

export class CoordinationInitial1764201600001 implements MigrationInterface {
  name = 'CoordinationInitial1764201600001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(outboxTableSql('coordination').up);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(outboxTableSql('coordination').down);
  }
}
