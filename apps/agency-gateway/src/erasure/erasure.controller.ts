import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Principal } from '@hub/auth/principal';
import { CurrentPrincipal, Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { HubError } from '@hub/platform/errors';
import { AlertIdPipe } from '../alerts/alert-id.pipe';
import { CommitmentDisclosure } from './commitment-disclosure';
import { EraseAlertRequest } from './dto/erase-alert.request';
import { ErasureService } from './erasure.service';

@ApiTags('admin')
@ApiBearerAuth()
@Roles(Role.Admin)
@Controller('v1/admin/alerts')
export class ErasureController {
  constructor(private readonly erasure: ErasureService) {}

  /** Erasure on a lawful request: the content, salts and identifiers go at once, everywhere; 202 once announced. */
  @Post(':alertId/erase')
  @HttpCode(202)
  erase(
    @CurrentPrincipal() principal: Principal,
    @Param('alertId', AlertIdPipe) alertId: string,
    @Body() body: EraseAlertRequest,
  ) {
    return this.erasure.eraseOnRequest(principal, alertId, body.reason);
  }
}

/**
 * For an auditor who must check that content shown to them is what the log committed to: the version's content and
 * salt, to recompute the commitment in the alert.submitted / alert.updated / alert.cancelled entry (libs/merkle
 * contentMatchesCommitment, or any SHA-256 tool: the layout is in docs/decisions/008-retention-and-erasure.md).
 */
@ApiTags('audit')
@ApiBearerAuth()
@Roles(Role.Auditor)
@Controller('v1/audit/alerts')
export class CommitmentController {
  constructor(private readonly disclosure: CommitmentDisclosure) {}

  @Get(':alertId/versions/:version/commitment')
  commitment(
    @CurrentPrincipal() principal: Principal,
    @Param('alertId', AlertIdPipe) alertId: string,
    @Param('version') version: string,
  ) {
    if (!/^[1-9][0-9]{0,8}$/.test(version))
      throw HubError.validation([{ path: 'version', message: 'must be a positive integer' }]);
    return this.disclosure.disclose(principal, alertId, Number(version));
  }

  /** An ack's note and salt, to recompute `details.noteCommitment` of its alert.acked entry (eventId `ack:<ackId>`). */
  @Get(':alertId/acks/:ackId/commitment')
  ackNoteCommitment(
    @CurrentPrincipal() principal: Principal,
    @Param('alertId', AlertIdPipe) alertId: string,
    @Param('ackId') ackId: string,
  ) {
    if (!/^[1-9][0-9]{0,17}$/.test(ackId))
      throw HubError.validation([
        { path: 'ackId', message: "must be a positive integer (the number in the fact's eventId ack:<ackId>)" },
      ]);
    return this.disclosure.discloseAckNote(principal, alertId, ackId);
  }

  /** Why the alert was erased, and the salt, to recompute `details.reasonCommitment` of its alert.erased entry. */
  @Get(':alertId/erasure/commitment')
  erasureReasonCommitment(@CurrentPrincipal() principal: Principal, @Param('alertId', AlertIdPipe) alertId: string) {
    return this.disclosure.discloseErasureReason(principal, alertId);
  }
}

/**
 * For an auditor who must check the problems of a refused request against `details.problemsCommitment` of its
 * alert.rejected entry (found by the entry's eventId; the request may have named no alert).
 */
@ApiTags('audit')
@ApiBearerAuth()
@Roles(Role.Auditor)
@Controller('v1/audit/rejections')
export class RejectionCommitmentController {
  constructor(private readonly disclosure: CommitmentDisclosure) {}

  @Get(':eventId/commitment')
  rejectionCommitment(@CurrentPrincipal() principal: Principal, @Param('eventId') eventId: string) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(eventId)) {
      throw HubError.validation([
        { path: 'eventId', message: 'must be the eventId (a UUID) of an alert.rejected entry' },
      ]);
    }
    return this.disclosure.discloseRejection(principal, eventId);
  }
}
