import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Principal } from '@hub/auth/principal';
import { CurrentPrincipal, Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { RegisterSigningKeyRequest, RevokeSigningKeyRequest, SigningPolicyRequest } from './dto/signing-keys.dto';
import { SigningKeysService } from './signing-keys.service';

/** Managing an agency's origin-signing keys and policy: the admin for any agency, an agency for itself. */
@ApiTags('signing-keys')
@ApiBearerAuth()
@Roles(Role.Admin, Role.Agency)
@Controller('v1/admin/agencies/:id')
export class SigningKeysAdminController {
  constructor(private readonly signingKeys: SigningKeysService) {}

  @Post('signing-keys')
  register(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: RegisterSigningKeyRequest) {
    return this.signingKeys.register(principal, id, body);
  }

  @Post('signing-keys/:kid/revoke')
  @HttpCode(200)
  revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('kid') kid: string,
    @Body() body: RevokeSigningKeyRequest,
  ) {
    return this.signingKeys.revoke(principal, id, kid, body);
  }

  @Put('signing-policy')
  setPolicy(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: SigningPolicyRequest) {
    return this.signingKeys.setPolicy(principal, id, body);
  }
}

/** What a recipient needs to verify an agency's alerts offline: every key it registered, with the dates, and its policy. */
@ApiTags('signing-keys')
@ApiBearerAuth()
@Roles(Role.Agency, Role.Analyst, Role.Auditor, Role.Admin)
@Controller('v1/agencies/:id/signing-keys')
export class SigningKeysController {
  constructor(private readonly signingKeys: SigningKeysService) {}

  @Get()
  list(@Param('id') id: string) {
    return this.signingKeys.list(id);
  }
}
