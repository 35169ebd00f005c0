import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuditEventType, Role } from '@hub/contracts/audit-event';
import { AuditPublisher } from '@hub/kafka/audit.publisher';
import { ErrorCode, HubError } from '@hub/platform/errors';
import { PUBLIC_ROUTE } from '@hub/platform/public.decorator';
import { constantTimeEquals, parseApiKey, secretMatches } from './api-key';
import { BootstrapAdminKey, CredentialStore } from './credential-store';
import { actorOf, ENV_ADMIN_KEY_ID, HUB_ADMIN_AGENCY, Principal } from './principal';
import { ROLES_KEY } from './roles.decorator';

/**
 * Every non-public route: `Authorization: Bearer <key>` → 401 when missing, unknown, expired or revoked;
 * 403 (audited) when the key's role is not allowed. Keys are looked up on every request, so a revocation takes
 * effect as soon as it reaches this service's credential store.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly logger = new Logger(ApiKeyGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly store: CredentialStore,
    private readonly adminKey: BootstrapAdminKey,
    private readonly audit: AuditPublisher,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const principal = await this.authenticate(request.headers.authorization);
    request.principal = principal;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (allowed && !allowed.includes(principal.role)) {
      await this.audit.publish([
        {
          type: AuditEventType.AccessDenied,
          actor: actorOf(principal),
          reason: 'wrong-role',
          details: { method: request.method, path: request.path, allowedRoles: allowed },
        },
      ]);
      throw new HubError(ErrorCode.Forbidden, `This endpoint needs the role ${allowed.join(' or ')}; the key has role ${principal.role}`);
    }
    return true;
  }

  private async authenticate(header: string | undefined): Promise<Principal> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) throw new HubError(ErrorCode.Unauthorized, 'Missing API key: send "Authorization: Bearer <key>"');
    const presented = match[1];
    if (this.adminKey.value && constantTimeEquals(presented, this.adminKey.value)) {
      return { keyId: ENV_ADMIN_KEY_ID, agencyId: HUB_ADMIN_AGENCY, role: Role.Admin };
    }
    const parsed = parseApiKey(presented);
    const record = parsed ? await this.store.findByKeyId(parsed.keyId) : null;
    if (!parsed || !record || !secretMatches(parsed.secret, record.secretHash)) {
      throw new HubError(ErrorCode.Unauthorized, 'Invalid API key');
    }
    if (record.revokedAt) throw new HubError(ErrorCode.Unauthorized, 'API key revoked');
    if (record.expiresAt && Date.parse(record.expiresAt) <= Date.now()) throw new HubError(ErrorCode.Unauthorized, 'API key expired');
    return { keyId: record.keyId, agencyId: record.agencyId, role: record.role };
  }
}
