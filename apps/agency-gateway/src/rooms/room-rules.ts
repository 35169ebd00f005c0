import { AgencyView, indexAgencies } from '@hub/contracts/policy';
import { FieldError } from '@hub/platform/errors';

/** An operation room is a closed place for a few agencies: a cap keeps every fact about it bounded. */
export const MAX_ROOM_MEMBERS = 50;
export const MAX_MESSAGE_CHARS = 4000;
/** A room is time-boxed: it may not be opened for longer than a year. */
export const MAX_ROOM_LIFETIME_MS = 366 * 24 * 3600 * 1000;

export type RoomState = 'open' | 'closed' | 'erased';

/** Closed once its owner closed it or closesAt has come, whether or not the sweep has recorded it yet. */
export function roomState(
  room: { closesAt: Date; closedAt: Date | null; erasedAt: Date | null },
  now: Date,
): RoomState {
  if (room.erasedAt !== null) return 'erased';
  if (room.closedAt !== null || room.closesAt.getTime() <= now.getTime()) return 'closed';
  return 'open';
}

/** The members a new room starts with: the owner first, then the others as given, each once. */
export function initialMembers(owner: string, members: readonly string[]): string[] {
  return [...new Set([owner, ...members])];
}

/**
 * Problems with the agencies named as members (`members[i]`, or `agencyId` for one added later): each must be a known,
 * active agency. Partner agencies may be invited: naming them is what reaches them.
 */
export function memberErrors(
  members: readonly string[],
  agencies: readonly AgencyView[],
  pathOf: (index: number) => string,
): FieldError[] {
  const known = indexAgencies({ agencies, sharingGroups: [] });
  const errors: FieldError[] = [];
  members.forEach((id, index) => {
    const agency = known.get(id);
    if (agency === undefined) errors.push({ path: pathOf(index), message: 'is not a known agency' });
    else if (!agency.active) errors.push({ path: pathOf(index), message: 'is not an active agency' });
  });
  return errors;
}

/** closesAt must lie ahead, and not further than MAX_ROOM_LIFETIME_MS. */
export function closesAtErrors(closesAt: string, now: Date): FieldError[] {
  const at = Date.parse(closesAt);
  if (at <= now.getTime()) return [{ path: 'closesAt', message: 'must be in the future' }];
  if (at - now.getTime() > MAX_ROOM_LIFETIME_MS) return [{ path: 'closesAt', message: 'must be within a year' }];
  return [];
}
