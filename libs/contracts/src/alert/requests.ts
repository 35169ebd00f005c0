import { AlertContent } from './alert-content';
import { ACK_STATUSES, AckStatus, ALERT_LIMITS } from './enums';
import { EnumField, NumberField, TextField } from './field-decorators';

const MAX_VERSION = 2_147_483_647; // fits the int columns that store versions

/** Body of POST /v1/alerts. */
export class SubmitAlertRequest extends AlertContent {}

/** Body of POST /v1/alerts/{alertId}/versions: the full new content plus the version it replaces. */
export class UpdateAlertRequest extends AlertContent {
  @NumberField({ integer: true, min: 1, max: MAX_VERSION, description: 'The current version this update replaces (optimistic concurrency)', example: 1 })
  baseVersion: number;
}

/** Body of POST /v1/alerts/{alertId}/cancel. */
export class CancelAlertRequest {
  @TextField({ max: ALERT_LIMITS.cancelReason, multiline: true, example: 'Consignment turned out to be legitimate' })
  reason: string;
}

/** Body of POST /v1/alerts/{alertId}/ack. `version` is the version being acknowledged, chosen by the recipient. */
export class AckRequest {
  @NumberField({ integer: true, min: 1, max: MAX_VERSION, description: 'Version of the alert being acknowledged', example: 1 })
  version: number;

  @EnumField(ACK_STATUSES, { example: 'received' })
  status: AckStatus;

  @TextField({ max: ALERT_LIMITS.ackNote, optional: true, multiline: true })
  note?: string;
}
