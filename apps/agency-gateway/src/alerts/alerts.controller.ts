import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Principal } from '@hub/auth/principal';
import { CurrentPrincipal, Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { AckRequest, CancelAlertRequest, ForwardAlertRequest, SubmitAlertRequest, UpdateAlertRequest } from '@hub/contracts/alert/requests';
import { AlertIdPipe } from './alert-id.pipe';
import { AlertsService } from './alerts.service';
import { SentAlertsQuery } from './sent-alerts.query';

const SIGNATURE_HEADER_DOC = {
  name: 'Alert-Signature',
  required: false,
  description:
    'Origin signature: a compact JWS with detached payload (header..signature), alg EdDSA, kid = a registered signing key of the sender, ' +
    'over the RFC 8785 canonical JSON of the alert content as the hub stores it (docs/signatures.md). Required when the sender requires signatures.',
};

/**
 * Bodies are validated by the service (not the global pipe) so that every refused submission is audited with
 * its reason; the OpenAPI document still comes from the same contract classes.
 */
@ApiTags('alerts')
@ApiBearerAuth()
@Roles(Role.Agency)
@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Post()
  @HttpCode(202)
  @ApiBody({ type: SubmitAlertRequest })
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: '1-128 characters; a retry with the same key and body returns the same answer' })
  @ApiHeader(SIGNATURE_HEADER_DOC)
  submit(
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('alert-signature') signature: string | undefined,
    @Body() body: unknown,
  ) {
    return this.alerts.submit(principal, idempotencyKey, body, signature);
  }

  @Post(':alertId/versions')
  @HttpCode(202)
  @ApiBody({ type: UpdateAlertRequest })
  @ApiHeader(SIGNATURE_HEADER_DOC)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('alertId', AlertIdPipe) alertId: string,
    @Headers('alert-signature') signature: string | undefined,
    @Body() body: unknown,
  ) {
    return this.alerts.update(principal, alertId, body, signature);
  }

  @Post(':alertId/cancel')
  @HttpCode(202)
  @ApiBody({ type: CancelAlertRequest })
  cancel(@CurrentPrincipal() principal: Principal, @Param('alertId', AlertIdPipe) alertId: string, @Body() body: unknown) {
    return this.alerts.cancel(principal, alertId, body);
  }

  @Post(':alertId/forward')
  @HttpCode(202)
  @ApiBody({ type: ForwardAlertRequest })
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiHeader(SIGNATURE_HEADER_DOC)
  forward(
    @CurrentPrincipal() principal: Principal,
    @Param('alertId', AlertIdPipe) alertId: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('alert-signature') signature: string | undefined,
    @Body() body: unknown,
  ) {
    return this.alerts.forward(principal, alertId, idempotencyKey, body, signature);
  }

  /** The caller's own alerts, newest first: what the console lists as "sent". */
  @Get()
  listSent(@CurrentPrincipal() principal: Principal, @Query() query: SentAlertsQuery) {
    return this.alerts.listSent(principal, query.limit ?? 50);
  }

  @Get(':alertId')
  read(@CurrentPrincipal() principal: Principal, @Param('alertId', AlertIdPipe) alertId: string) {
    return this.alerts.read(principal, alertId);
  }

  @Post(':alertId/ack')
  @HttpCode(202)
  @ApiBody({ type: AckRequest })
  acknowledge(@CurrentPrincipal() principal: Principal, @Param('alertId', AlertIdPipe) alertId: string, @Body() body: unknown) {
    return this.alerts.acknowledge(principal, alertId, body);
  }
}
