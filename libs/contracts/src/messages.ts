import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { AlertContent } from './alert/alert-content';
import { ALERT_SIGNATURE_MAX_LENGTH, DETACHED_COMPACT_JWS } from './signing/alert-signature';
import { AGENCY_ID_PATTERN } from './reference';

export const DELIVERY_KINDS = ['alert', 'update', 'cancel'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

/**
 * What an inbox item can be: an alert delivery, a match notice (Topic.MatchNotices), a hit notice (another agency's
 * POST /v1/hits named an identifier of the owner's alerts), or a message posted in an operation room the recipient is
 * a member of. Add, never rename.
 */
export const INBOX_ITEM_KINDS = [...DELIVERY_KINDS, 'match', 'hit', 'room-message'] as const;
export type InboxItemKind = (typeof INBOX_ITEM_KINDS)[number];

/**
 * Value on Topic.AlertsSubmitted, key = alertId. Produced by agency-gateway once the submission is durable
 * in its database (transactional outbox). `alert` is the full content of this version; for a cancel it is
 * the content of the version being cancelled.
 */
export class AlertSubmittedMessage {
  @IsUUID() messageId: string;
  @IsIn(DELIVERY_KINDS as unknown as string[]) kind: DeliveryKind;
  @IsUUID() alertId: string;
  @IsInt() @Min(1) version: number;
  @Matches(AGENCY_ID_PATTERN) sender: string;
  @IsString() @Length(1, 64) senderKeyId: string;
  @IsISO8601({ strict: true }) receivedAt: string;
  // IsObject: ValidateNested alone lets an absent value through and validates an array entry by entry.
  @IsObject() @ValidateNested() @Type(() => AlertContent) alert: AlertContent;
  @IsOptional() @IsString() @Length(1, 2000) cancelReason?: string;
  /** The sender's origin signature over `alert` (detached compact JWS, verified by the gateway); absent when unsigned. Additive. */
  @IsOptional() @IsString() @Length(1, ALERT_SIGNATURE_MAX_LENGTH) @Matches(DETACHED_COMPACT_JWS) signature?: string;
}

/**
 * Superseded by AlertRoutedMessage (only drained, for messages written before the change). Value on
 * Topic.AlertsDelivered, key = recipient. One per (alertId, version, recipient) that the routing
 * policy decided "delivered". deliveryId is deterministic so that a redelivered message is recognised.
 * A cancel carries no content: it reaches every earlier recipient, some of whom may not be entitled to the
 * last version's content (recall reaches everyone, content does not).
 */
export class AlertDeliveredMessage {
  @IsUUID() deliveryId: string;
  @IsUUID() sourceMessageId: string;
  @IsIn(DELIVERY_KINDS as unknown as string[]) kind: DeliveryKind;
  @IsUUID() alertId: string;
  @IsInt() @Min(1) version: number;
  @Matches(AGENCY_ID_PATTERN) sender: string;
  @Matches(AGENCY_ID_PATTERN) recipient: string;
  @IsISO8601({ strict: true }) decidedAt: string;
  @ValidateIf((m: AlertDeliveredMessage) => m.kind !== 'cancel')
  @IsObject()
  @ValidateNested()
  @Type(() => AlertContent)
  alert?: AlertContent;
  @IsOptional() @IsString() @Length(1, 2000) cancelReason?: string;
  /**
   * A recall: the recipient is no longer entitled to the alert (dropped by an update, or deactivated). The gateway
   * then stops serving it the content it received earlier, and later cancels reach it without the sender's reason.
   */
  @IsOptional() @IsBoolean() withdrawn?: boolean;
  /** The sender's origin signature over `alert`, carried with the content (never on a cancel or a recall). Additive. */
  @IsOptional() @IsString() @Length(1, ALERT_SIGNATURE_MAX_LENGTH) @Matches(DETACHED_COMPACT_JWS) signature?: string;
}

/** One recipient of a routed version: what its inbox gets. */
export class RoutedDelivery {
  @IsUUID() deliveryId: string;
  @Matches(AGENCY_ID_PATTERN) recipient: string;
  /** the version's kind, or `cancel` for a recall */
  @IsIn(DELIVERY_KINDS as unknown as string[]) kind: DeliveryKind;
  /**
   * A recall: the recipient is no longer entitled to the alert (dropped by an update, or deactivated). The gateway
   * then stops serving it the content it received earlier, and later cancels reach it without the sender's reason.
   */
  @IsOptional() @IsBoolean() withdrawn?: boolean;
}

/** Recipients of one version: at most every agency the hub knows. */
export const ROUTED_DELIVERIES_MAX = 10_000;

/**
 * Value on Topic.AlertsRouted, key = alertId. One per routed alert version that reached at least one recipient,
 * produced by coordination-node in the transaction that decided it (outbox). It names the recipients and their
 * deterministic deliveryIds and carries no content: agency-gateway accepted the version and fans it out into the
 * inboxes from its own copy (content, signature, cancel reason), so the content is in one place to erase and Kafka
 * carries it once (on the submission), not once per recipient. docs/decisions/005-facts-per-outcome.md.
 */
export class AlertRoutedMessage {
  @IsUUID() sourceMessageId: string;
  @IsIn(DELIVERY_KINDS as unknown as string[]) kind: DeliveryKind;
  @IsUUID() alertId: string;
  @IsInt() @Min(1) version: number;
  @Matches(AGENCY_ID_PATTERN) sender: string;
  @IsISO8601({ strict: true }) decidedAt: string;
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROUTED_DELIVERIES_MAX)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => RoutedDelivery)
  deliveries: RoutedDelivery[];
}

/**
 * Value on Topic.MatchNotices, key = recipient (the owner told). One per (correlation, owner alert), produced by
 * coordination-node in the transaction that records the correlation (outbox). `text` is exactly the sentence the
 * correlation record decided for this owner; when `restricted`, the notice carries nothing of the other alert
 * (no id, no identifier): `otherAlertIds` is then empty. noticeId is deterministic, so a redelivered message is
 * recognised and stored once.
 */
export class MatchNoticeMessage {
  @IsUUID() noticeId: string;
  @IsUUID() correlationId: string;
  @Matches(AGENCY_ID_PATTERN) recipient: string;
  /** the recipient's own alert that matched, and its version when the match was found */
  @IsUUID() alertId: string;
  @IsInt() @Min(1) version: number;
  /** the agency to contact */
  @Matches(AGENCY_ID_PATTERN) otherAgencyId: string;
  @IsArray() @ArrayMaxSize(100) @IsUUID(undefined, { each: true }) otherAlertIds: string[];
  @IsBoolean() restricted: boolean;
  @IsString() @Length(1, 1000) text: string;
  @IsISO8601({ strict: true }) foundAt: string;
}

export const ERASURE_CAUSES = ['request', 'retention'] as const;
export type ErasureCause = (typeof ERASURE_CAUSES)[number];

/**
 * Value on Topic.AlertErasures, key = alertId, produced by agency-gateway (which owns erasure requests and the
 * retention job) in the transaction that erased its own copies (outbox). Every other service removes its copies of
 * the alert's content, salts and identifiers on receipt; idempotent, so a redelivery changes nothing. No content.
 */
export class AlertErasedMessage {
  @IsUUID() alertId: string;
  @IsIn(ERASURE_CAUSES as unknown as string[]) cause: ErasureCause;
  @IsISO8601({ strict: true }) erasedAt: string;
}
