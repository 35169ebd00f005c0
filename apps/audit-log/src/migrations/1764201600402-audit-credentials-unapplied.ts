import { MigrationInterface, QueryRunner } from 'typeorm';
import { credentialReplicaUnappliedSql } from '@hub/auth/credential-replica';

/** The credential replica fails closed on a change it cannot apply (see ReplicatedCredentialStore.refuse). */
export class AuditCredentialsUnapplied1764201600402 implements MigrationInterface {
  name = 'AuditCredentialsUnapplied1764201600402';

  async up(q: QueryRunner): Promise<void> {
    await q.query(credentialReplicaUnappliedSql('audit').up);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(credentialReplicaUnappliedSql('audit').down);
  }
}
