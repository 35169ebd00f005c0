import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { Principal } from '@hub/auth/principal';
import { CurrentPrincipal, Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { CheckIdentifiers } from './check-identifiers';
import { MAX_HIT_IDENTIFIERS } from './hit-query';

@ApiTags('hits')
@ApiBearerAuth()
@Roles(Role.Agency)
@Controller('v1/hits')
export class HitsController {
  constructor(private readonly identifiers: CheckIdentifiers) {}

  /** Bulk hit/no-hit: whom to contact about each identifier, never content. */
  @Post()
  @HttpCode(200)
  @ApiBody({
    description:
      `{"identifiers": [...]} — up to ${MAX_HIT_IDENTIFIERS}, each {type: container, number} | {type: vehicle, plate, registrationCountry} | ` +
      '{type: vessel, imo} | {type: phone, number} | {type: person, fullName, dateOfBirth}, written as officers write them. ' +
      'Answers {results: [{index, hit, contacts: [agencyId]}]} in request order.',
    schema: { type: 'object' },
  })
  check(@CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    return this.identifiers.check(principal, body);
  }
}
