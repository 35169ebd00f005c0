/**
 * Match notices as an officer reads them: the two headlines, not two UUIDs. The notice itself carries no content
 * (docs/decisions/013): the other agency, the other alert's id only when it is shared with the reader, and the hub's
 * sentence. The headlines come from what this console already holds for its officer, never from a new read:
 * - the reader's own alert: its Sent list (GET /v1/alerts, the agency's own alerts);
 * - the other alert: the reader's own inbox, only when the notice is not restricted, names that alert, and the
 *   newest inbox item of that alert still carries its content (not withdrawn from the reader, not erased).
 * So a headline the reader may not read is never shown: for a restricted notice the page says that the alert is not
 * shared and whom to contact.
 */
import { identifierOf, sharedHeadline } from './match-rules';
import { state } from './state';
import { TEXT } from './text';
import type { IdentifierKind } from './text-en';
import type { InboxItem } from './types';

/** What the page can say about a match notice. */
export interface MatchView {
  /** the reader's own alert: its headline when this console knows it */
  ownHeadline: string | null;
  otherAgencyId: string;
  /** the other agency's name, from the directory */
  otherAgencyName: string | null;
  /** the other alert when it is shared with the reader and in this console's inbox */
  other: { alertId: string; headline: string } | null;
  /** the other alert is not shared with the reader (restricted notice) */
  restricted: boolean;
  /** the identifier both alerts name, as the hub's sentence gives it (only for a notice that is not restricted) */
  identifier: { kind: IdentifierKind; key: string } | null;
}

export function matchView(item: InboxItem): MatchView {
  const match = item.match;
  const otherAgencyId = match?.otherAgencyId ?? '';
  const restricted = !match || match.restricted || match.otherAlertIds.length === 0;
  const own = state.sent.find((sent) => sent.alertId.toLowerCase() === item.alertId.toLowerCase());
  let other: MatchView['other'] = null;
  if (!restricted)
    for (const alertId of match.otherAlertIds) {
      const headline = sharedHeadline(alertId, state.inbox);
      if (headline) {
        other = { alertId, headline };
        break;
      }
    }
  const agency = state.directory?.agencies.find((a) => a.id === otherAgencyId);
  return {
    ownHeadline: own && !own.erased ? own.headline : null,
    otherAgencyId,
    otherAgencyName: agency ? agency.name : null,
    other,
    restricted,
    identifier: restricted || !match ? null : identifierOf(match.text),
  };
}

/** The one-line title of a match notice in the inbox list. */
export function matchTitle(item: InboxItem): string {
  const view = matchView(item);
  const own = view.ownHeadline ? TEXT.match.quoted(view.ownHeadline) : TEXT.match.ownUnknown(item.alertId.slice(0, 8));
  if (view.restricted) return TEXT.match.titleNotShared(own, view.otherAgencyId);
  if (view.other) return TEXT.match.titleShared(own, TEXT.match.quoted(view.other.headline), view.otherAgencyId);
  return TEXT.match.titleSharedUnknown(own, view.otherAgencyId);
}
