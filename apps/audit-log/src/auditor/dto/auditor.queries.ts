import { IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { AUDIT_EVENT_TYPES } from '@hub/contracts/audit-event';
import { IsIsoInstant } from '@hub/contracts/domain/decorators';
import { AGENCY_ID_PATTERN } from '@hub/contracts/reference';

export const MAX_PAGE_SIZE = 1000;
export const EXPORT_FORMATS = ['ndjson', 'csv', 'leaves'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Which entries: every filter given must match. Times compare the event's own `at`. */
export class EntryFilterQuery {
  @IsOptional() @IsString() @Length(1, 64) alertId?: string;

  /** Entries where this agency acted or is the other party (recipient of a decision or delivery, target of an admin action). */
  @IsOptional()
  @Matches(AGENCY_ID_PATTERN, { message: 'must be an agency id such as TJ-DCA or CARICC' })
  agency?: string;

  @IsOptional() @IsIn(AUDIT_EVENT_TYPES, { message: `must be one of ${AUDIT_EVENT_TYPES.join(', ')}` }) type?: string;

  /** Inclusive. */
  @IsOptional() @IsIsoInstant() from?: string;

  /** Exclusive. */
  @IsOptional() @IsIsoInstant() to?: string;
}

/** A keyset page: `after` is the previous page's nextCursor. */
export class PageQuery {
  /** nextCursor of the previous page: entries with a larger seq follow. */
  @IsOptional() @Matches(/^\d{1,15}$/, { message: 'must be a cursor returned as nextCursor' }) after?: string;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE_SIZE) limit?: number;
}

export class EntriesQuery extends IntersectionType(EntryFilterQuery, PageQuery) {}

export class ExportQuery extends EntryFilterQuery {
  @IsOptional() @IsIn(EXPORT_FORMATS, { message: 'must be ndjson, csv or leaves' }) format?: ExportFormat;
}

export class InclusionProofQuery {
  @Type(() => Number) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER) seq: number;

  /** Defaults to the current tree size. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(Number.MAX_SAFE_INTEGER) treeSize?: number;
}

export class ConsistencyProofQuery {
  @Type(() => Number) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER) from: number;

  /** Defaults to the current tree size. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER) to?: number;
}

export class AlertTrailParams {
  @IsString() @Length(1, 64) alertId: string;
}

export class RoomTrailParams {
  @IsUUID('all', { message: 'must be a room id (a UUID)' }) roomId: string;
}

/** GET /v1/audit/visibility: what `agency` could see at `at`, one page of facts at a time. */
export class VisibilityQuery extends PageQuery {
  @Matches(AGENCY_ID_PATTERN, { message: 'must be an agency id such as TJ-DCA or CARICC' })
  agency: string;

  @IsIsoInstant() at: string;

  /** For the pages after the first: the checkpoint size of the first page, so that every page is proven against one tree. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(Number.MAX_SAFE_INTEGER) treeSize?: number;
}
