import { MigrationInterface, QueryRunner } from 'typeorm';
import { credentialReplicaUnappliedSql } from '@hub/auth/credential-replica';

/** The credential replica fails closed on a change it cannot apply (see ReplicatedCredentialStore.refuse). */
export class CoordinationCredentialsUnapplied1764201600401 implements MigrationInterface {
  name = 'CoordinationCredentialsUnapplied1764201600401';

  async up(q: QueryRunner): Promise<void> {
    await q.query(credentialReplicaUnappliedSql('coordination').up);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(credentialReplicaUnappliedSql('coordination').down);
  }
}
