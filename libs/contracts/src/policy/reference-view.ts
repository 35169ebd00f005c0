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

/** What the policy needs to know about an operation room. RoomRecord (Topic.Rooms) satisfies it. */
export interface RoomView {
  id: string;
  members: readonly string[];
  /** ISO 8601 instants: the room is closed from closesAt, or from closedAt when its owner closed it earlier. */
  closesAt: string;
  closedAt: string | null;
}

/** The reference data a service holds at the moment it decides (its replica of the compacted topics). */
export interface ReferenceView {
  agencies: readonly AgencyView[];
  sharingGroups: readonly SharingGroupView[];
  /** operation rooms; absent where a service holds none (an alert naming a room then finds it missing) */
  rooms?: readonly RoomView[];
}

/** Closed once closedAt is set or closesAt has come; an unreadable closesAt counts as closed. */
export function isRoomClosed(room: Pick<RoomView, 'closesAt' | 'closedAt'>, now: Date): boolean {
  if (room.closedAt !== null && room.closedAt !== undefined) return true;
  return isGroupExpired({ expiresAt: room.closesAt }, now);
}

export function indexRooms(ref: ReferenceView): ReadonlyMap<string, RoomView> {
  return new Map((ref.rooms ?? []).map((room) => [room.id, room]));
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
