import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuditEventType, Role } from '@hub/contracts/audit-event';
import { AuditPublisher } from '@hub/kafka/audit.publisher';
import { ErrorCode, HubError } from '@hub/platform/errors';
import { PUBLIC_ROUTE } from '@hub/platform/public.decorator';
import { ApiKeyAuthenticator, AuthenticatedRequest } from './api-key.authenticator';
import { actorOf } from './principal';
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
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly audit: AuditPublisher,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticator.authenticate(request);
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
      throw new HubError(
        ErrorCode.Forbidden,
        `This endpoint needs the role ${allowed.join(' or ')}; the key has role ${principal.role}`,
      );
    }
    return true;
  }
}
