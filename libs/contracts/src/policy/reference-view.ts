import { parseInstant } from '../domain/instant';
import { AgencyKind } from '../reference';

/** What the policy needs to know about an agency. AgencyRecord (Topic.Agencies) satisfies it. */
export interface AgencyView {
  id: string;
  kind: AgencyKind;
  active: boolean;
  country: string;
}

/** What the policy needs to know about a sharing group. SharingGroupRecord (Topic.SharingGroups) satisfies it. */
export interface SharingGroupView {
  id: string;
  members: readonly string[];
  /** ISO 8601 instant, or null for a group that does not expire. */
  expiresAt: string | null;
}

/** The reference data a service holds at the moment it decides (its replica of the compacted topics). */
export interface ReferenceView {
  agencies: readonly AgencyView[];
  sharingGroups: readonly SharingGroupView[];
}

/** Expired at or after expiresAt. An unreadable expiry counts as expired: a group must not outlive its mandate by accident. */
export function isGroupExpired(group: Pick<SharingGroupView, 'expiresAt'>, now: Date): boolean {
  if (group.expiresAt === null || group.expiresAt === undefined) return false;
  const expiresAtMs = parseInstant(group.expiresAt) ?? Date.parse(group.expiresAt);
  return Number.isNaN(expiresAtMs) || expiresAtMs <= now.getTime();
}

/** A state outside the membership: `regional` scope never reaches it, only what names it. */
export function isPartnerAgency(agency: Pick<AgencyView, 'kind'> | undefined): boolean {
  return agency?.kind === 'partner-agency';
}

export function indexAgencies(ref: ReferenceView): ReadonlyMap<string, AgencyView> {
  return new Map(ref.agencies.map((agency) => [agency.id, agency]));
}

export function indexSharingGroups(ref: ReferenceView): ReadonlyMap<string, SharingGroupView> {
  return new Map(ref.sharingGroups.map((group) => [group.id, group]));
}
