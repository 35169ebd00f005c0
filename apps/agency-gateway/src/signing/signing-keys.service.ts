import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createPublicKey } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType, Role } from '@hub/contracts/audit-event';
import { HubService } from '@hub/contracts/topics';
import { auditMessage } from '@hub/kafka/audit.publisher';
import { OutboxService } from '@hub/kafka/outbox.service';
import { ErrorCode, FieldError, HubError } from '@hub/platform/errors';
import { RegisterSigningKeyRequest, RevokeSigningKeyRequest, SigningPolicyRequest } from './dto/signing-keys.dto';
import { RecentReads } from '../reference/recent-reads';
import { REFERENCE_READ_TTL_MS, ReferenceChanges } from '../reference/reference-changes';
import { keyStatus, readPublicKey, SigningKeyStatus, verifyAlertSignature } from './signing-key';
import { SigningKeyRow, SigningKeysRepository } from './signing-keys.repository';

/** A key as recipients see it: a JWK they can use as it is, the same key as PEM, and its dates. */
export interface SigningKeyView {
  kid: string;
  agencyId: string;
  jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string; alg: 'EdDSA'; use: 'sig' };
  publicKeyPem: string;
  validFrom: string;
  validUntil: string | null;
  revokedAt: string | null;
  revocationReason: string | null;
  /** at the time of the answer */
  status: SigningKeyStatus;
  createdAt: string;
}

function view(key: SigningKeyRow, now = new Date()): SigningKeyView {
  return {
    kid: key.kid,
    agencyId: key.agencyId,
    jwk: { ...key.jwk, kid: key.kid, alg: 'EdDSA', use: 'sig' },
    publicKeyPem: createPublicKey({ key: { ...key.jwk }, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString(),
    validFrom: key.validFrom.toISOString(),
    validUntil: key.validUntil?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    revocationReason: key.revocationReason,
    status: keyStatus(key, now),
    createdAt: key.createdAt.toISOString(),
  };
}

/**
 * Agencies' origin-signing keys (docs/signatures.md): registration, rotation, revocation and the require-signatures
 * policy, each audited in the same transaction (outbox); and the check of a submission's Alert-Signature.
 */
@Injectable()
export class SigningKeysService {
  /** Whether an agency requires signatures: asked by every unsigned submission, so kept like the reference data. */
  private readonly policies = new RecentReads<string, boolean>(REFERENCE_READ_TTL_MS);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly changes: ReferenceChanges,
  ) {
    changes.onChange(() => this.policies.clear());
  }

  async register(principal: Principal, agencyId: string, request: RegisterSigningKeyRequest): Promise<SigningKeyView> {
    this.assertMayManage(principal, agencyId);
    if ((request.jwk === undefined) === (request.publicKeyPem === undefined)) {
      throw HubError.validation([{ path: 'jwk', message: 'give exactly one of jwk and publicKeyPem' }]);
    }
    const key = await readPublicKey(request);
    if (!key.ok) throw HubError.validation([key.problem]);
    const validFrom = request.validFrom ? new Date(request.validFrom) : new Date();
    const validUntil = request.validUntil ? new Date(request.validUntil) : null;
    if (validUntil && validUntil <= validFrom)
      throw HubError.validation([{ path: 'validUntil', message: 'must be after validFrom' }]);
    return this.change(principal, async (manager, keys) => {
      await this.assertAgencyExists(manager, agencyId);
      if (request.replaces !== undefined) {
        const old = await keys.find(request.replaces, true);
        if (!old || old.agencyId !== agencyId)
          throw HubError.validation([
            { path: 'replaces', message: `no signing key ${request.replaces} of ${agencyId}` },
          ]);
        await keys.endValidity(old.kid, validFrom);
      }
      const stored = await keys.insert({
        kid: key.kid,
        agencyId,
        jwk: key.jwk,
        validFrom,
        validUntil,
        registeredBy: principal.keyId,
      });
      if (!stored)
        throw new HubError(ErrorCode.Conflict, `Signing key ${key.kid} is already registered`, [
          { path: 'jwk', message: 'this key is already registered' },
        ]);
      return {
        result: view(stored),
        audit: {
          type: AuditEventType.SigningKeyRegistered,
          recipient: agencyId,
          details: {
            kid: stored.kid,
            jwk: stored.jwk,
            validFrom: stored.validFrom.toISOString(),
            validUntil: stored.validUntil?.toISOString() ?? null,
            replaces: request.replaces ?? null,
          },
        },
      };
    });
  }

  async revoke(
    principal: Principal,
    agencyId: string,
    kid: string,
    request: RevokeSigningKeyRequest,
  ): Promise<SigningKeyView> {
    this.assertMayManage(principal, agencyId);
    const revokedAt = request.revokedAt ? new Date(request.revokedAt) : new Date();
    return this.change(principal, async (_manager, keys) => {
      const key = await keys.find(kid, true);
      if (!key || key.agencyId !== agencyId) throw HubError.notFound('signing key');
      // A revocation can be moved earlier (a compromise found to date back further), never later or undone.
      if (key.revokedAt && key.revokedAt <= revokedAt) return { result: view(key), audit: null };
      await keys.revoke(kid, revokedAt, request.reason ?? null);
      const revoked = (await keys.find(kid))!;
      return {
        result: view(revoked),
        audit: {
          type: AuditEventType.SigningKeyRevoked,
          recipient: agencyId,
          details: { kid, revokedAt: revokedAt.toISOString(), reason: request.reason ?? null },
        },
      };
    });
  }

  async setPolicy(
    principal: Principal,
    agencyId: string,
    request: SigningPolicyRequest,
  ): Promise<{ agencyId: string; requireSignatures: boolean }> {
    this.assertMayManage(principal, agencyId);
    return this.change(principal, async (manager, keys) => {
      await this.assertAgencyExists(manager, agencyId);
      await keys.setPolicy(agencyId, request.requireSignatures);
      return {
        result: { agencyId, requireSignatures: request.requireSignatures },
        audit: {
          type: AuditEventType.SigningPolicyChanged,
          recipient: agencyId,
          details: { requireSignatures: request.requireSignatures },
        },
      };
    });
  }

  /** Every key the agency ever registered, with its dates, so that old alerts stay verifiable; and its policy. */
  async list(agencyId: string): Promise<{ agencyId: string; requireSignatures: boolean; keys: SigningKeyView[] }> {
    const keys = new SigningKeysRepository(this.dataSource);
    await this.assertAgencyExists(this.dataSource.manager, agencyId);
    const now = new Date();
    return {
      agencyId,
      requireSignatures: await keys.requiresSignatures(agencyId),
      keys: (await keys.listFor(agencyId)).map((key) => view(key, now)),
    };
  }

  /**
   * The signature problem of a submission, or null when it may go ahead: a signature that does not verify is refused
   * whatever the policy; a missing one only when the sender requires signatures.
   */
  async signatureProblem(sender: string, signature: string | undefined, content: object): Promise<FieldError | null> {
    const keys = new SigningKeysRepository(this.dataSource);
    if (signature === undefined || signature === '') {
      return (await this.policies.get(sender, () => keys.requiresSignatures(sender)))
        ? {
            path: 'Alert-Signature',
            message: `is required: ${sender} requires an origin signature on every alert it sends`,
          }
        : null;
    }
    const verified = await verifyAlertSignature(signature, content, sender, (kid) => keys.find(kid), new Date());
    return verified.ok ? null : verified.problem;
  }

  /** The admin manages every agency's keys; an agency only its own (other agencies' keys are public, hence 403, not 404). */
  private assertMayManage(principal: Principal, agencyId: string): void {
    if (principal.role === Role.Admin || principal.agencyId === agencyId) return;
    throw new HubError(
      ErrorCode.Forbidden,
      `An agency may manage only its own signing keys (you are ${principal.agencyId})`,
      [{ path: 'id', message: `is not your agency` }],
    );
  }

  private async assertAgencyExists(db: { query: EntityManager['query'] }, agencyId: string): Promise<void> {
    const rows: unknown[] = await db.query(`SELECT 1 FROM gateway.agencies WHERE id = $1`, [agencyId]);
    if (rows.length === 0) throw HubError.notFound('agency');
  }

  /** The change, its audit fact (actor: the caller) and the outbox in one transaction; answered once Kafka has the fact. */
  private async change<T>(
    principal: Principal,
    work: (
      manager: EntityManager,
      keys: SigningKeysRepository,
    ) => Promise<{
      result: T;
      audit: { type: AuditEventType; recipient: string; details: Record<string, unknown> } | null;
    }>,
  ): Promise<T> {
    const { result, ids } = await this.dataSource.transaction(async (manager) => {
      const { result, audit } = await work(manager, new SigningKeysRepository(manager));
      const ids = audit
        ? await this.outbox.enqueue(manager, [
            auditMessage(HubService.AgencyGateway, { ...audit, actor: actorOf(principal) }),
          ])
        : [];
      return { result, ids };
    });
    this.changes.changed();
    await this.outbox.publish(ids);
    return result;
  }
}
