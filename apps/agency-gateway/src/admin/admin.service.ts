import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { issueApiKey } from '@hub/auth/api-key';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType, Role } from '@hub/contracts/audit-event';
import { auditMessage } from '@hub/kafka/audit.publisher';
import { HubService } from '@hub/contracts/topics';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { OutboxService } from '@hub/kafka/outbox.service';
import { splitList } from '@hub/platform/config';
import { ErrorCode, HubError } from '@hub/platform/errors';
import { GatewayConfig } from '../gateway.config';
import { AgencyEntity, ApiKeyEntity, SharingGroupEntity } from '../reference/reference.entities';
import { ReferenceChanges } from '../reference/reference-changes';
import {
  agencyMessage,
  agencyRecord,
  credentialMessage,
  sharingGroupMessage,
  sharingGroupRecord,
} from '../reference/reference.records';
import { CreateAgencyRequest, CreateSharingGroupRequest, IssueKeyRequest, UpdateAgencyRequest } from './dto/admin.dto';

/**
 * Onboarding: every change is written with its reference-topic record and its audit event in one transaction
 * (outbox), and the call returns only once Kafka has both.
 */
@Injectable()
export class AdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly changes: ReferenceChanges,
    private readonly config: GatewayConfig,
  ) {}

  async createAgency(admin: Principal, request: CreateAgencyRequest) {
    const row = await this.change(async (manager) => {
      if (await manager.existsBy(AgencyEntity, { id: request.id })) {
        throw new HubError(ErrorCode.Conflict, `Agency ${request.id} already exists`, [
          { path: 'id', message: 'already exists' },
        ]);
      }
      const now = new Date();
      const agency = await manager.save(AgencyEntity, { ...request, active: true, createdAt: now, updatedAt: now });
      return {
        result: agency,
        messages: [
          agencyMessage(agency),
          auditMessage(HubService.AgencyGateway, {
            type: AuditEventType.AdminAgencyCreated,
            actor: actorOf(admin),
            recipient: agency.id,
            details: { agency: agencyRecord(agency) },
          }),
        ],
      };
    });
    return agencyRecord(row);
  }

  async updateAgency(admin: Principal, id: string, request: UpdateAgencyRequest) {
    const row = await this.change(async (manager) => {
      const agency = await manager.findOne(AgencyEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!agency) throw HubError.notFound('agency');
      agency.active = request.active;
      agency.updatedAt = new Date();
      await manager.save(agency);
      // Deactivation revokes every key of the agency, and the revocations travel on the credentials topic like
      // any other: the node and the audit log learn of them too (they do not know which agency is active).
      // Reactivating does not bring the keys back; the admin issues new ones.
      const revoked = request.active ? [] : await this.revokeAllKeys(manager, id, agency.updatedAt);
      return {
        result: agency,
        messages: [
          agencyMessage(agency),
          ...revoked.map(credentialMessage),
          auditMessage(HubService.AgencyGateway, {
            type: AuditEventType.AdminAgencyUpdated,
            actor: actorOf(admin),
            recipient: id,
            reason: request.active ? 'activated' : 'deactivated',
            details: {
              agency: agencyRecord(agency),
              ...(request.active ? {} : { revokedKeyIds: revoked.map((key) => key.keyId) }),
            },
          }),
        ],
      };
    });
    return agencyRecord(row);
  }

  private async revokeAllKeys(manager: EntityManager, agencyId: string, at: Date): Promise<ApiKeyEntity[]> {
    const keys = await manager.find(ApiKeyEntity, {
      where: { agencyId, revokedAt: IsNull() },
      lock: { mode: 'pessimistic_write' },
    });
    for (const key of keys) {
      key.revokedAt = at;
      key.updatedAt = at;
    }
    return keys.length > 0 ? manager.save(keys) : [];
  }

  async listAgencies() {
    const rows = await this.dataSource.getRepository(AgencyEntity).find({ order: { id: 'ASC' } });
    return { items: rows.map(agencyRecord) };
  }

  async issueKey(admin: Principal, agencyId: string, request: IssueKeyRequest) {
    if (request.expiresAt && Date.parse(request.expiresAt) <= Date.now()) {
      throw HubError.validation([{ path: 'expiresAt', message: 'expiresAt must be in the future' }]);
    }
    const issued = issueApiKey();
    const row = await this.change(async (manager) => {
      const agency = await manager.findOne(AgencyEntity, { where: { id: agencyId } });
      if (!agency) throw HubError.notFound('agency');
      // Deactivation revoked the agency's keys; a key issued now would work on the replicas, whose credential records
      // carry no agency state.
      if (!agency.active)
        throw HubError.validation([
          { path: 'agencyId', message: `${agencyId} is deactivated: reactivate it before issuing it a key` },
        ]);
      // The analyst role sees what the regional centre sees (the live feed of all exchanges): only the centre's.
      if (request.role === Role.Analyst && agency.kind !== 'regional-centre') {
        throw HubError.validation([
          { path: 'role', message: `analyst keys belong to the regional centre; ${agencyId} is a ${agency.kind}` },
        ]);
      }
      // Auditor keys read the whole log and disclose any content: only the named auditing bodies hold them.
      if (request.role === Role.Auditor && !mayHoldAuditorKeys(agency, this.config.AUDITOR_AGENCIES)) {
        throw HubError.validation([
          {
            path: 'role',
            message: `auditor keys belong to the auditing bodies (AUDITOR_AGENCIES, else the regional centre); ${agencyId} is not one`,
          },
        ]);
      }
      const now = new Date();
      const key = await manager.save(ApiKeyEntity, {
        keyId: issued.keyId,
        agencyId,
        role: request.role,
        secretHash: issued.secretHash,
        expiresAt: request.expiresAt ? new Date(request.expiresAt) : null,
        revokedAt: null,
        createdAt: now,
        updatedAt: now,
      });
      return {
        result: key,
        messages: [
          credentialMessage(key),
          auditMessage(HubService.AgencyGateway, {
            type: AuditEventType.AdminKeyIssued,
            actor: actorOf(admin),
            recipient: agencyId,
            details: { keyId: key.keyId, role: key.role, expiresAt: request.expiresAt ?? null },
          }),
        ],
      };
    });
    return {
      keyId: row.keyId,
      key: issued.key,
      agencyId,
      role: row.role,
      expiresAt: row.expiresAt?.toISOString() ?? null,
    };
  }

  async revokeKey(admin: Principal, keyId: string): Promise<void> {
    await this.change(async (manager) => {
      const key = await manager.findOne(ApiKeyEntity, { where: { keyId }, lock: { mode: 'pessimistic_write' } });
      if (!key) throw HubError.notFound('key');
      if (!key.revokedAt) {
        key.revokedAt = new Date();
        key.updatedAt = key.revokedAt;
        await manager.save(key);
      }
      return {
        result: key,
        messages: [
          credentialMessage(key),
          auditMessage(HubService.AgencyGateway, {
            type: AuditEventType.AdminKeyRevoked,
            actor: actorOf(admin),
            recipient: key.agencyId,
            details: { keyId },
          }),
        ],
      };
    });
  }

  async createSharingGroup(admin: Principal, request: CreateSharingGroupRequest) {
    if (request.expiresAt && Date.parse(request.expiresAt) <= Date.now()) {
      throw HubError.validation([{ path: 'expiresAt', message: 'expiresAt must be in the future' }]);
    }
    const row = await this.change(async (manager) => {
      if (await manager.existsBy(SharingGroupEntity, { id: request.id })) {
        throw new HubError(ErrorCode.Conflict, `Sharing group ${request.id} already exists`, [
          { path: 'id', message: 'already exists' },
        ]);
      }
      const known = new Set((await manager.findBy(AgencyEntity, { id: In(request.members) })).map((a) => a.id));
      const unknown = request.members.flatMap((member, i) =>
        known.has(member) ? [] : [{ path: `members[${i}]`, message: `unknown agency ${member}` }],
      );
      if (unknown.length > 0) throw HubError.validation(unknown);
      const now = new Date();
      const group = await manager.save(SharingGroupEntity, {
        id: request.id,
        name: request.name,
        members: [...new Set(request.members)],
        expiresAt: request.expiresAt ? new Date(request.expiresAt) : null,
        createdAt: now,
        updatedAt: now,
      });
      return {
        result: group,
        messages: [
          sharingGroupMessage(group),
          auditMessage(HubService.AgencyGateway, {
            type: AuditEventType.AdminGroupCreated,
            actor: actorOf(admin),
            details: { group: sharingGroupRecord(group) },
          }),
        ],
      };
    });
    return sharingGroupRecord(row);
  }

  async listSharingGroups() {
    const rows = await this.dataSource.getRepository(SharingGroupEntity).find({ order: { id: 'ASC' } });
    return { items: rows.map(sharingGroupRecord) };
  }

  private async change<T>(
    work: (manager: EntityManager) => Promise<{ result: T; messages: OutgoingMessage[] }>,
  ): Promise<T> {
    const { result, ids } = await this.dataSource.transaction(async (manager) => {
      const { result, messages } = await work(manager);
      return { result, ids: await this.outbox.enqueue(manager, messages) };
    });
    // Committed: this replica's reads of keys and reference data are stale now (a revocation works at once here).
    this.changes.changed();
    await this.outbox.publish(ids);
    return result;
  }
}

/** Listed in AUDITOR_AGENCIES, or, when that is empty, a regional centre. */
export function mayHoldAuditorKeys(agency: { id: string; kind: string }, auditorAgencies: string): boolean {
  const named = splitList(auditorAgencies);
  return named.length > 0 ? named.includes(agency.id) : agency.kind === 'regional-centre';
}
