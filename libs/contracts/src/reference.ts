import {
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ArrayMaxSize,
} from 'class-validator';
import { ROLES, Role } from './audit-event';

/** Agency ids: country + code (TJ-DCA, KG-BS) or a centre id (CARICC). */
export const AGENCY_ID_PATTERN = /^(?:[A-Z]{2}-[A-Z0-9]{2,12}|[A-Z][A-Z0-9]{2,15})$/;
export const COUNTRY_CODE_PATTERN = /^[A-Z]{2}$/;
/** hex SHA-256 */
export const SECRET_HASH_PATTERN = /^[0-9a-f]{64}$/;
/**
 * A partner agency belongs to a state outside the membership (e.g. Afghanistan's counter-narcotics authority): it is
 * never reached by `regional` scope, only by what names it (docs/decisions/019-rooms-and-partner-agencies.md).
 */
export const AGENCY_KINDS = ['national-agency', 'regional-centre', 'partner-agency'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

/** Value on Topic.Agencies (compacted, key = id). */
export class AgencyRecord {
  @Matches(AGENCY_ID_PATTERN) id: string;
  @IsString() @Length(1, 200) name: string;
  @Matches(COUNTRY_CODE_PATTERN) country: string;
  @IsIn(AGENCY_KINDS as unknown as string[]) kind: AgencyKind;
  @IsBoolean() active: boolean;
  @IsISO8601({ strict: true }) updatedAt: string;
}

/** Value on Topic.Credentials (compacted, key = keyId). Carries the hash, never the secret. */
export class CredentialRecord {
  @IsString() @Length(1, 64) keyId: string;
  @Matches(AGENCY_ID_PATTERN) agencyId: string;
  @IsIn(ROLES) role: Role;
  /** hex SHA-256 of the secret part of the key */
  @Matches(SECRET_HASH_PATTERN) secretHash: string;
  @IsOptional() @IsISO8601({ strict: true }) expiresAt: string | null;
  @IsOptional() @IsISO8601({ strict: true }) revokedAt: string | null;
  @IsISO8601({ strict: true }) updatedAt: string;
}

/** Value on Topic.SharingGroups (compacted, key = id). */
export class SharingGroupRecord {
  @IsString() @Length(1, 64) id: string;
  @IsString() @Length(1, 200) name: string;
  @IsArray() @ArrayMaxSize(500) @Matches(AGENCY_ID_PATTERN, { each: true }) members: string[];
  @IsOptional() @IsISO8601({ strict: true }) expiresAt: string | null;
  @IsISO8601({ strict: true }) updatedAt: string;
}

/**
 * Value on Topic.Rooms (compacted, key = roomId): who is in an operation room, when it closes, and its name until the
 * room is erased (then null; absent in records written before the dashboard showed rooms). Never its purpose or
 * messages (docs/decisions/019-rooms-and-partner-agencies.md, "Rooms on the analysts' dashboard").
 */
export class RoomRecord {
  @IsUUID('all') id: string;
  @IsOptional() @IsString() @Length(1, 200) name?: string | null;
  @IsArray() @ArrayMaxSize(50) @Matches(AGENCY_ID_PATTERN, { each: true }) members: string[];
  @IsISO8601({ strict: true }) closesAt: string;
  @IsOptional() @IsISO8601({ strict: true }) closedAt: string | null;
  @IsISO8601({ strict: true }) updatedAt: string;
}

/** How far ahead of a replica's clock a reference record's updatedAt may be: clock skew between hosts. */
export const REFERENCE_CLOCK_SKEW_MS = 2 * 60_000;

/**
 * Why a reference record (agency, credential, sharing group) cannot be applied for its date, or null. Replicas keep
 * the newest record by updatedAt, so one dated in the future would outrank every real change until then (a
 * credential no revocation could override): it is refused, like an invalid one.
 */
export function futureDatedRecordError(record: { updatedAt: string }, now: number = Date.now()): string | null {
  const at = Date.parse(record.updatedAt);
  if (Number.isNaN(at)) return 'updatedAt: not a date-time';
  if (at > now + REFERENCE_CLOCK_SKEW_MS)
    return `updatedAt: ${record.updatedAt} is more than ${REFERENCE_CLOCK_SKEW_MS / 1000} s in the future`;
  return null;
}
