import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CredentialStore } from '@hub/auth/credential-store';
import { CredentialRecord } from '@hub/contracts/reference';
import { ApiKeyEntity } from './reference.entities';
import { credentialRecord } from './reference.records';
import { RecentReads } from './recent-reads';
import { REFERENCE_READ_TTL_MS, ReferenceChanges } from './reference-changes';

/**
 * The gateway owns the keys: it reads its own table, so issuing and revoking on this replica take effect here at
 * once, and on another replica within REFERENCE_READ_TTL_MS. A key of a deactivated agency is treated as revoked
 * from the moment of deactivation.
 */
@Injectable()
export class GatewayCredentialStore extends CredentialStore {
  private readonly reads = new RecentReads<string, CredentialRecord | null>(REFERENCE_READ_TTL_MS);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    changes: ReferenceChanges,
  ) {
    super();
    changes.onChange(() => this.reads.clear());
  }

  /** Runs on every authenticated request: one statement per key and REFERENCE_READ_TTL_MS, not per request. */
  findByKeyId(keyId: string): Promise<CredentialRecord | null> {
    return this.reads.get(keyId, () => this.read(keyId));
  }

  private async read(keyId: string): Promise<CredentialRecord | null> {
    const [row]: (ApiKeyRow & { agency_active: boolean | null; agency_updated_at: Date | null })[] =
      await this.dataSource.query(
        `SELECT k.key_id, k.agency_id, k.role, k.secret_hash, k.expires_at, k.revoked_at, k.updated_at,
              a.active AS agency_active, a.updated_at AS agency_updated_at
       FROM gateway.api_keys k LEFT JOIN gateway.agencies a ON a.id = k.agency_id
       WHERE k.key_id = $1`,
        [keyId],
      );
    if (!row) return null;
    const record = credentialRecord({
      keyId: row.key_id,
      agencyId: row.agency_id,
      role: row.role,
      secretHash: row.secret_hash,
      expiresAt: row.expires_at,
      revokedAt: row.revoked_at,
      updatedAt: row.updated_at,
    });
    if (row.agency_active === false && row.agency_updated_at && !record.revokedAt)
      record.revokedAt = row.agency_updated_at.toISOString();
    return record;
  }
}

interface ApiKeyRow {
  key_id: string;
  agency_id: string;
  role: ApiKeyEntity['role'];
  secret_hash: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  updated_at: Date;
}
