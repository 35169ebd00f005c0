import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsObject, IsOptional, IsString, Length, Min, ValidateNested } from 'class-validator';
import { AUDIT_EVENT_TYPES, AuditEventType } from './audit-event-type';

// In a file of its own (no decorators): code that only needs the types (libs/merkle, FACT_OWNERS) must not load this
// file's classes, whose decorators need reflect-metadata.
export { AUDIT_EVENT_TYPES, AuditEventType };

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
