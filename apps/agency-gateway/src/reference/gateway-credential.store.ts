import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CredentialStore } from '@hub/auth/credential-store';
import { CredentialRecord } from '@hub/contracts/reference';
import { ApiKeyEntity } from './reference.entities';
import { credentialRecord } from './reference.records';

/** The gateway owns the keys: it reads its own table, so issuing and revoking take effect here at once. */
@Injectable()
export class GatewayCredentialStore extends CredentialStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async findByKeyId(keyId: string): Promise<CredentialRecord | null> {
    const row = await this.dataSource.getRepository(ApiKeyEntity).findOneBy({ keyId });
    return row ? credentialRecord(row) : null;
  }
}
