import { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxTableSql } from '@hub/kafka/outbox.service';

export class GatewayInitial1764201600000 implements MigrationInterface {
  name = 'GatewayInitial1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(outboxTableSql('gateway').up);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(outboxTableSql('gateway').down);
  }
}
