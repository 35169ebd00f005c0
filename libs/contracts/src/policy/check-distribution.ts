import { AlertContent } from '../alert/alert-content';
import { contentRuleErrors, distributionRuleErrors } from '../alert/domain-errors';
import { FieldError } from '../alert/field-error';
import {
  indexAgencies,
  indexRooms,
  indexSharingGroups,
  isGroupExpired,
  isRoomClosed,
  ReferenceView,
} from './reference-view';
import { RoutingContent } from './routing-policy';

/**
 * Distribution problems the gateway answers with 400: the TLP and scope rules plus everything that needs
 * reference data — unknown or inactive recipients, the sender addressing itself, unknown or expired groups.
 */
export function checkDistribution(
  content: RoutingContent,
  sender: string,
  ref: ReferenceView,
  now: Date,
): FieldError[] {
  const agencies = indexAgencies(ref);
  const groups = indexSharingGroups(ref);
  const errors: FieldError[] = [...distributionRuleErrors(content)];

  content.distribution.recipients.forEach((recipient, index) => {
    const path = `distribution.recipients[${index}]`;
    const agency = agencies.get(recipient);
    if (recipient === sender) errors.push({ path, message: 'is the sender itself' });
    else if (agency === undefined) errors.push({ path, message: 'is not a known agency' });
    else if (!agency.active) errors.push({ path, message: 'is not an active agency' });
  });

  content.distribution.sharingGroups.forEach((groupId, index) => {
    const path = `distribution.sharingGroups[${index}]`;
    const group = groups.get(groupId);
    if (group === undefined) errors.push({ path, message: 'is not a known sharing group' });
    else if (isGroupExpired(group, now)) errors.push({ path, message: `expired at ${group.expiresAt}` });
  });

  // A room the sender is not in does not exist for it: the same answer as an unknown one.
  const rooms = indexRooms(ref);
  (content.distribution.rooms ?? []).forEach((roomId, index) => {
    const path = `distribution.rooms[${index}]`;
    const room = rooms.get(roomId);
    if (room === undefined || !room.members.includes(sender)) errors.push({ path, message: 'is not a known room' });
    else if (isRoomClosed(room, now)) errors.push({ path, message: 'is closed' });
  });

  return errors;
}

/**
 * Every rule a submission or update is checked against after class validation: domainErrors and
 * checkDistribution together, each rule once. The gateway's 400 details.
 */
export function submissionErrors(content: AlertContent, sender: string, ref: ReferenceView, now: Date): FieldError[] {
  return [...contentRuleErrors(content, now), ...checkDistribution(content, sender, ref, now)];
}

/**
 * Addressees and groups the given reference data does not know. At fan-out this usually means the local
 * replica has not caught up with an agency or group created just before the submission: retry later
 * rather than withhold for good.
 */
export function missingReferences(
  content: RoutingContent,
  ref: ReferenceView,
): { agencies: string[]; sharingGroups: string[]; rooms: string[] } {
  const agencies = indexAgencies(ref);
  const groups = indexSharingGroups(ref);
  const rooms = indexRooms(ref);
  return {
    agencies: content.distribution.recipients.filter((id) => !agencies.has(id)),
    sharingGroups: content.distribution.sharingGroups.filter((id) => !groups.has(id)),
    rooms: (content.distribution.rooms ?? []).filter((id) => !rooms.has(id)),
  };
}
