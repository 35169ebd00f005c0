import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, Matches } from 'class-validator';
import { AGENCY_ID_PATTERN } from '../reference';
import { AlertContent } from './alert-content';
import { ACK_STATUSES, AckStatus, ALERT_LIMITS } from './enums';
import { EnumField, NumberField, TextField } from './field-decorators';

const MAX_VERSION = 2_147_483_647; // fits the int columns that store versions

/** Body of POST /v1/alerts. */
export class SubmitAlertRequest extends AlertContent {}

/** Body of POST /v1/alerts/{alertId}/versions: the full new content plus the version it replaces. */
export class UpdateAlertRequest extends AlertContent {
  @NumberField({
    integer: true,
    min: 1,
    max: MAX_VERSION,
    description: 'The current version this update replaces (optimistic concurrency)',
    example: 1,
  })
  baseVersion: number;
}

/** Body of POST /v1/alerts/{alertId}/cancel. */
export class CancelAlertRequest {
  @TextField({ max: ALERT_LIMITS.cancelReason, multiline: true, example: 'Consignment turned out to be legitimate' })
  reason: string;
}

/** Body of POST /v1/alerts/{alertId}/ack. `version` is the version being acknowledged, chosen by the recipient. */
export class AckRequest {
  @NumberField({
    integer: true,
    min: 1,
    max: MAX_VERSION,
    description: 'Version of the alert being acknowledged',
    example: 1,
  })
  version: number;

  @EnumField(ACK_STATUSES, { example: 'received' })
  status: AckStatus;

  @TextField({ max: ALERT_LIMITS.ackNote, optional: true, multiline: true })
  note?: string;
}

/**
 * Body of POST /v1/alerts/{alertId}/forward: a recipient passes an alert on to other agencies, as a new alert of
 * its own that references the original. Refused for RED, AMBER+STRICT and H2 (see forwardAllowed).
 */
export class ForwardAlertRequest {
  @ApiProperty({ type: [String], example: ['KG-DCS'], description: 'Agencies to forward to (restricted scope)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ALERT_LIMITS.recipients)
  @Matches(AGENCY_ID_PATTERN, { each: true, message: 'each recipient must be an agency id' })
  recipients: string[];
}
