import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CredentialStore } from '@hub/auth/credential-store';
import { CredentialRecord } from '@hub/contracts/reference';
import { AgencyEntity, ApiKeyEntity } from './reference.entities';
import { credentialRecord } from './reference.records';

/**
 * The gateway owns the keys: it reads its own table, so issuing and revoking take effect here at once. A key of
 * a deactivated agency is treated as revoked from the moment of deactivation.
 */
@Injectable()
export class GatewayCredentialStore extends CredentialStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async findByKeyId(keyId: string): Promise<CredentialRecord | null> {
    const row = await this.dataSource.getRepository(ApiKeyEntity).findOneBy({ keyId });
    if (!row) return null;
    const record = credentialRecord(row);
    const agency = await this.dataSource.getRepository(AgencyEntity).findOneBy({ id: row.agencyId });
    if (agency && !agency.active && !record.revokedAt) record.revokedAt = agency.updatedAt.toISOString();
    return record;
  }
}
