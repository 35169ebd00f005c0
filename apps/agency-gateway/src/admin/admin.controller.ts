import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Principal } from '@hub/auth/principal';
import { CurrentPrincipal, Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { AdminService } from './admin.service';
import { CreateAgencyRequest, CreateSharingGroupRequest, IssueKeyRequest, UpdateAgencyRequest } from './dto/admin.dto';

@ApiTags('admin')
@ApiBearerAuth()
@Roles(Role.Admin)
@Controller('v1/admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Post('agencies')
  createAgency(@CurrentPrincipal() principal: Principal, @Body() body: CreateAgencyRequest) {
    return this.admin.createAgency(principal, body);
  }

  @Get('agencies')
  listAgencies() {
    return this.admin.listAgencies();
  }

  @Patch('agencies/:id')
  updateAgency(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: UpdateAgencyRequest) {
    return this.admin.updateAgency(principal, id, body);
  }

  @Post('agencies/:id/keys')
  issueKey(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: IssueKeyRequest) {
    return this.admin.issueKey(principal, id, body);
  }

  @Delete('keys/:keyId')
  @HttpCode(204)
  async revokeKey(@CurrentPrincipal() principal: Principal, @Param('keyId') keyId: string): Promise<void> {
    await this.admin.revokeKey(principal, keyId);
  }

  @Post('sharing-groups')
  createSharingGroup(@CurrentPrincipal() principal: Principal, @Body() body: CreateSharingGroupRequest) {
    return this.admin.createSharingGroup(principal, body);
  }

  @Get('sharing-groups')
  listSharingGroups() {
    return this.admin.listSharingGroups();
  }
}
