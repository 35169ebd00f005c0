import { AgencyRecord, CredentialRecord, SharingGroupRecord } from '@hub/contracts/reference';
import { Topic } from '@hub/contracts/topics';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { AgencyEntity, ApiKeyEntity, SharingGroupEntity } from './reference.entities';

/** Gateway rows → the records other services replicate from the compacted reference topics. */
export function agencyRecord(row: Omit<AgencyEntity, 'createdAt'>): AgencyRecord {
  return {
    id: row.id,
    name: row.name,
    country: row.country,
    kind: row.kind,
    active: row.active,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function credentialRecord(row: Omit<ApiKeyEntity, 'createdAt'>): CredentialRecord {
  return {
    keyId: row.keyId,
    agencyId: row.agencyId,
    role: row.role,
    secretHash: row.secretHash,
    expiresAt: row.expiresAt ? row.expiresAt.toISOString() : null,
    revokedAt: row.revokedAt ? row.revokedAt.toISOString() : null,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function sharingGroupRecord(row: Omit<SharingGroupEntity, 'createdAt'>): SharingGroupRecord {
  return {
    id: row.id,
    name: row.name,
    members: row.members,
    expiresAt: row.expiresAt ? row.expiresAt.toISOString() : null,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export const agencyMessage = (row: AgencyEntity): OutgoingMessage => ({
  topic: Topic.Agencies,
  key: row.id,
  value: agencyRecord(row),
});
export const credentialMessage = (row: ApiKeyEntity): OutgoingMessage => ({
  topic: Topic.Credentials,
  key: row.keyId,
  value: credentialRecord(row),
});
export const sharingGroupMessage = (row: SharingGroupEntity): OutgoingMessage => ({
  topic: Topic.SharingGroups,
  key: row.id,
  value: sharingGroupRecord(row),
});
