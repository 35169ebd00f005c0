import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Principal } from '@hub/auth/principal';
import { CurrentPrincipal, Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { isGroupExpired } from '@hub/contracts/policy';
import { ReferenceSnapshot } from '../reference/reference.snapshot';

export interface DirectoryView {
  /** the caller's own agency */
  self: { id: string; name: string; country: string; kind: string };
  /** every active agency but the caller: who may be addressed */
  agencies: { id: string; name: string; country: string; kind: string }[];
  /** sharing groups that have not expired */
  sharingGroups: { id: string; name: string; members: string[]; expiresAt: string | null }[];
}

/**
 * GET /v1/agencies: the agencies and sharing groups an agency may address, so that a client (the console) offers
 * choices the gateway will accept instead of free text it will refuse. Reference data only, no exchange content.
 */
@ApiTags('directory')
@ApiBearerAuth()
@Roles(Role.Agency)
@Controller('v1/agencies')
export class DirectoryController {
  constructor(private readonly reference: ReferenceSnapshot) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<DirectoryView> {
    const view = await this.reference.records();
    const now = new Date();
    const describe = (a: { id: string; name: string; country: string; kind: string }) => ({
      id: a.id,
      name: a.name,
      country: a.country,
      kind: a.kind,
    });
    const self = view.agencies.find((a) => a.id === principal.agencyId);
    return {
      self: self
        ? describe(self)
        : {
            id: principal.agencyId,
            name: principal.agencyId,
            country: principal.agencyId.slice(0, 2),
            kind: 'national-agency',
          },
      agencies: view.agencies
        .filter((a) => a.active && a.id !== principal.agencyId)
        .map(describe)
        .sort((a, b) => a.id.localeCompare(b.id)),
      sharingGroups: view.sharingGroups
        .filter((g) => !isGroupExpired(g, now))
        .map((g) => ({ id: g.id, name: g.name, members: [...g.members], expiresAt: g.expiresAt ?? null }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    };
  }
}
