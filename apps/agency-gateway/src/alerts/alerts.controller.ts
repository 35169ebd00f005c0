import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiHeader, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Principal } from '@hub/auth/principal';
import { CurrentPrincipal, Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import {
  AckRequest,
  CancelAlertRequest,
  ForwardAlertRequest,
  SubmitAlertRequest,
  UpdateAlertRequest,
} from '@hub/contracts/alert/requests';
import { AlertIdPipe } from './alert-id.pipe';
import { SentAlertsQuery } from './sent-alerts.query';
import { AcknowledgeAlert } from './use-cases/acknowledge-alert';
import { AlertReads } from './use-cases/alert-reads';
import { AppendVersion } from './use-cases/append-version';
import { ForwardAlert } from './use-cases/forward-alert';
import { SubmitAlert } from './use-cases/submit-alert';
import { SubmitBatch } from './use-cases/submit-batch';
import { MAX_BATCH_LINES, NDJSON_MEDIA_TYPE } from './batch/ndjson-batch';
import { InterchangeService } from '../interchange/interchange.service';
import { CAP_CONTENT_TYPE, CAP_MEDIA_TYPE, negotiate, STIX_MEDIA_TYPE } from '../interchange/media-types';

const SIGNATURE_HEADER_DOC = {
  name: 'Alert-Signature',
  required: false,
  description:
    'Origin signature: a compact JWS with detached payload (header..signature), alg EdDSA, kid = a registered signing key of the sender, ' +
    'over the RFC 8785 canonical JSON of the alert content as the hub stores it (docs/signatures.md). Required when the sender requires signatures.',
};

/**
 * Bodies are validated by the use cases (not the global pipe) so that every refused submission is audited with
 * its reason; the OpenAPI document still comes from the same contract classes.
 */
@ApiTags('alerts')
@ApiBearerAuth()
@Roles(Role.Agency)
@Controller('v1/alerts')
export class AlertsController {
  constructor(
    private readonly submission: SubmitAlert,
    private readonly batch: SubmitBatch,
    private readonly versions: AppendVersion,
    private readonly forwarding: ForwardAlert,
    private readonly acknowledgement: AcknowledgeAlert,
    private readonly reads: AlertReads,
    private readonly interchange: InterchangeService,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiBody({ type: SubmitAlertRequest })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: '1-128 characters; a retry with the same key and body returns the same answer',
  })
  @ApiHeader(SIGNATURE_HEADER_DOC)
  @ApiConsumes('application/json', CAP_MEDIA_TYPE)
  submit(
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('alert-signature') signature: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
  ) {
    // A CAP 1.2 <alert> (docs/interchange.md) is mapped to the same body and goes through the same checks.
    if (contentType && CAP_CONTENT_TYPE.test(contentType))
      return this.interchange.submitCap(principal, idempotencyKey, body, signature);
    return this.submission.submit(principal, idempotencyKey, body, signature);
  }

  @Post('batch')
  @HttpCode(200)
  @ApiConsumes(NDJSON_MEDIA_TYPE)
  @ApiBody({
    description:
      `One submission per line (at most ${MAX_BATCH_LINES}): {"idempotencyKey": "...", "alert": {…the body of POST /v1/alerts…}, ` +
      `"signature"?: "<JWS>"}. Answers {results: [{index, status: 202|400|409|422, alertId?, version?, messageId?, error?}]} in line order.`,
    schema: { type: 'string' },
  })
  submitBatch(@CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    return this.batch.submit(principal, body);
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
    return this.versions.update(principal, alertId, body, signature);
  }

  @Post(':alertId/cancel')
  @HttpCode(202)
  @ApiBody({ type: CancelAlertRequest })
  cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('alertId', AlertIdPipe) alertId: string,
    @Body() body: unknown,
  ) {
    return this.versions.cancel(principal, alertId, body);
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
    return this.forwarding.forward(principal, alertId, idempotencyKey, body, signature);
  }

  /** The caller's own alerts, newest first: what the console lists as "sent". */
  @Get()
  listSent(@CurrentPrincipal() principal: Principal, @Query() query: SentAlertsQuery) {
    return this.reads.listSent(principal, query.limit ?? 50);
  }

  @Get(':alertId')
  @ApiProduces('application/json', CAP_MEDIA_TYPE, STIX_MEDIA_TYPE)
  @ApiHeader({
    name: 'Accept',
    required: false,
    description: `application/json (default), ${CAP_MEDIA_TYPE} (a CAP 1.2 <alert>) or ${STIX_MEDIA_TYPE} (a STIX 2.1 bundle)`,
  })
  async read(
    @CurrentPrincipal() principal: Principal,
    @Param('alertId', AlertIdPipe) alertId: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const representation = negotiate(accept);
    return this.interchange.renderAlert(await this.reads.read(principal, alertId), representation, response);
  }

  @Post(':alertId/ack')
  @HttpCode(202)
  @ApiBody({ type: AckRequest })
  acknowledge(
    @CurrentPrincipal() principal: Principal,
    @Param('alertId', AlertIdPipe) alertId: string,
    @Body() body: unknown,
  ) {
    return this.acknowledgement.acknowledge(principal, alertId, body);
  }
}
