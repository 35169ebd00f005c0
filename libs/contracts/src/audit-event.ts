import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, Length, Min, ValidateNested } from 'class-validator';

/** Every auditable fact. Values are part of the audit contract: add, never rename. */
export enum AuditEventType {
  AlertSubmitted = 'alert.submitted',
  AlertRejected = 'alert.rejected',
  AlertUpdated = 'alert.updated',
  AlertCancelled = 'alert.cancelled',
  RoutingDecided = 'routing.decided',
  AlertDelivered = 'alert.delivered',
  InboxRead = 'inbox.read',
  InboxStreamed = 'inbox.streamed',
  AlertRead = 'alert.read',
  AlertAcked = 'alert.acked',
  AccessDenied = 'access.denied',
  AdminAgencyCreated = 'admin.agency-created',
  AdminAgencyUpdated = 'admin.agency-updated',
  AdminKeyIssued = 'admin.key-issued',
  AdminKeyRevoked = 'admin.key-revoked',
  AdminGroupCreated = 'admin.group-created',
  /** An agency's Ed25519 origin-signing public key was registered (by the admin or the agency itself). */
  SigningKeyRegistered = 'admin.signing-key-registered',
  SigningKeyRevoked = 'admin.signing-key-revoked',
  SigningPolicyChanged = 'admin.signing-policy-changed',
  AuditQueried = 'audit.queried',
  MessageDeadLettered = 'message.dead-lettered',
  CorrelationFound = 'correlation.found',
  /** The audit log itself: an event came again under a recorded eventId with different content (refused). */
  IntegrityAlarm = 'audit.integrity-alarm',
  /** An alert's content, salts and identifiers were removed on a lawful request (who asked, why). */
  AlertErased = 'alert.erased',
  /** One run of the retention job: the alerts whose retention had ended and whose content it removed. */
  RetentionSwept = 'retention.swept',
}

export const AUDIT_EVENT_TYPES = Object.values(AuditEventType) as string[];

export enum Role {
  Agency = 'agency',
  Analyst = 'analyst',
  Auditor = 'auditor',
  Admin = 'admin',
}
export const ROLES = Object.values(Role) as string[];

/** Who did it: an agency's key, or a hub service acting on its own (actor.service). */
export class AuditActor {
  @IsOptional() @IsString() @Length(1, 64) agencyId?: string;
  @IsOptional() @IsString() @Length(1, 64) keyId?: string;
  @IsOptional() @IsIn(ROLES) role?: Role;
  @IsOptional() @IsString() @Length(1, 64) service?: string;
}

export class AuditEvent {
  /** Deterministic where the fact can be produced twice (e.g. `delivered:<deliveryId>`): the log dedups on it. */
  @IsString() @Length(1, 200) eventId: string;
  @IsIn(AUDIT_EVENT_TYPES) type: AuditEventType;
  @IsISO8601({ strict: true }) at: string;
  // IsObject: ValidateNested alone lets an absent value through and validates an array entry by entry.
  @IsObject() @ValidateNested() @Type(() => AuditActor) actor: AuditActor;
  @IsOptional() @IsString() @Length(1, 64) alertId?: string;
  @IsOptional() @IsInt() @Min(1) version?: number;
  /** The agency the fact is about other than the actor (recipient of a decision/delivery, target of an admin action). */
  @IsOptional() @IsString() @Length(1, 64) recipient?: string;
  @IsOptional() @IsIn(['delivered', 'withheld']) decision?: 'delivered' | 'withheld';
  @IsOptional() @IsString() @Length(1, 200) reason?: string;
  /** Free-form facts (e.g. the query an auditor ran, the HTTP path of a denied access). */
  @IsObject() details: Record<string, unknown>;
}
