import { AlertContent } from '../alert/alert-content';
import { requiresExplicitRecipients } from '../alert/tlp';
import { DeliveryKind } from '../messages';
import {
  AgencyView,
  indexAgencies,
  indexRooms,
  indexSharingGroups,
  isGroupExpired,
  isPartnerAgency,
  isRoomClosed,
  ReferenceView,
  RoomView,
  SharingGroupView,
} from './reference-view';
import { DeliveredReason, RoutingReason, WithheldReason } from './routing-reason';

/** The parts of an alert that decide who receives it. */
export type RoutingContent = Pick<AlertContent, 'tlp' | 'distribution'>;

export interface RoutingInput {
  kind: DeliveryKind;
  sender: string;
  /** For an alert or update: the new content. For a cancel: the content being cancelled (not consulted). */
  content: RoutingContent;
  /** Every agency that was delivered any earlier version of this alert (content or cancel). Empty for kind alert. */
  previousRecipients: readonly string[];
  ref: ReferenceView;
  now: Date;
}

export interface DeliveredDecision {
  recipient: string;
  decision: 'delivered';
  reason: DeliveredReason;
  /**
   * The delivery carries a cancel, not new content: always for kind cancel, and for an update to a previous
   * recipient the new version does not entitle (a withdrawal). A withdrawal must never carry the new version.
   */
  asCancel: boolean;
}

export interface WithheldDecision {
  recipient: string;
  decision: 'withheld';
  reason: WithheldReason;
  asCancel: false;
}

export type RoutingDecision = DeliveredDecision | WithheldDecision;

type Entitlement =
  | {
      entitled: true;
      reason: RoutingReason.Addressed | RoutingReason.Regional | RoutingReason.GroupMember | RoutingReason.RoomMember;
    }
  | {
      entitled: false;
      reason:
        | RoutingReason.NotAddressed
        | RoutingReason.PartnerNotRegional
        | RoutingReason.GroupExpired
        | RoutingReason.RoomClosed
        | RoutingReason.TlpRequiresExplicitRecipient
        | RoutingReason.RedGroupNotAllowed;
    };

function delivered(recipient: string, reason: DeliveredReason, asCancel: boolean): DeliveredDecision {
  return { recipient, decision: 'delivered', reason, asCancel };
}

function withheld(recipient: string, reason: WithheldReason): WithheldDecision {
  return { recipient, decision: 'withheld', reason, asCancel: false };
}

/**
 * One routing computation over one input: indexes the reference data once, then decides per candidate.
 * Everything is derived from the content itself, never from what the gateway concluded, so that the node
 * re-applies the rules at fan-out (a RED alert carrying a group still never reaches a group member).
 */
class RoutingComputation {
  private readonly agencies: ReadonlyMap<string, AgencyView>;
  private readonly namedGroups: readonly SharingGroupView[];
  private readonly namedRooms: readonly RoomView[];
  private readonly explicitRecipients: ReadonlySet<string>;
  private readonly previousRecipients: ReadonlySet<string>;

  constructor(private readonly input: RoutingInput) {
    this.agencies = indexAgencies(input.ref);
    const groupsById = indexSharingGroups(input.ref);
    this.namedGroups = input.content.distribution.sharingGroups
      .map((groupId) => groupsById.get(groupId))
      .filter((group): group is SharingGroupView => group !== undefined);
    const roomsById = indexRooms(input.ref);
    this.namedRooms = (input.content.distribution.rooms ?? [])
      .map((roomId) => roomsById.get(roomId))
      .filter((room): room is RoomView => room !== undefined);
    this.explicitRecipients = new Set(input.content.distribution.recipients);
    this.previousRecipients = new Set(input.previousRecipients);
  }

  /** Every known agency, every previous recipient (recall must reach them) and every addressee, sorted. */
  candidates(): string[] {
    const ids = new Set<string>([...this.agencies.keys(), ...this.previousRecipients]);
    if (this.input.kind !== 'cancel') {
      for (const recipient of this.explicitRecipients) ids.add(recipient);
    }
    return [...ids].sort();
  }

  decide(candidate: string): RoutingDecision {
    if (candidate === this.input.sender) return withheld(candidate, RoutingReason.Sender);
    switch (this.input.kind) {
      case 'alert':
        return this.decideNewContent(candidate);
      case 'update':
        return this.decideUpdate(candidate);
      case 'cancel':
        return this.previousRecipients.has(candidate)
          ? delivered(candidate, RoutingReason.PreviousRecipient, true)
          : withheld(candidate, RoutingReason.NotPreviousRecipient);
    }
  }

  private decideNewContent(candidate: string): RoutingDecision {
    const entitlement = this.entitlement(candidate);
    if (!entitlement.entitled) return withheld(candidate, entitlement.reason);
    const agency = this.agencies.get(candidate);
    if (agency === undefined) return withheld(candidate, RoutingReason.UnknownAgency);
    if (!agency.active) return withheld(candidate, RoutingReason.Inactive);
    return delivered(candidate, entitlement.reason, false);
  }

  private decideUpdate(candidate: string): RoutingDecision {
    const decision = this.decideNewContent(candidate);
    if (decision.decision === 'delivered' || !this.previousRecipients.has(candidate)) return decision;
    // A previous recipient that may not have the new content gets a withdrawal instead, so no stale copy survives.
    const stillEntitled = this.entitlement(candidate).entitled;
    return delivered(candidate, stillEntitled ? RoutingReason.RecalledInactive : RoutingReason.RecalledByUpdate, true);
  }

  private entitlement(candidate: string): Entitlement {
    const { tlp, distribution } = this.input.content;
    const explicitOnly = requiresExplicitRecipients(tlp);
    if (distribution.scope === 'regional') {
      if (explicitOnly) return { entitled: false, reason: RoutingReason.TlpRequiresExplicitRecipient };
      return isPartnerAgency(this.agencies.get(candidate))
        ? { entitled: false, reason: RoutingReason.PartnerNotRegional }
        : { entitled: true, reason: RoutingReason.Regional };
    }
    if (this.explicitRecipients.has(candidate)) return { entitled: true, reason: RoutingReason.Addressed };
    const groupsWithCandidate = this.namedGroups.filter((group) => group.members.includes(candidate));
    // A room is treated like a sharing group (not for RED, not for AMBER+STRICT), each member decided on its own.
    const roomsWithCandidate = this.namedRooms.filter((room) => room.members.includes(candidate));
    if (groupsWithCandidate.length === 0 && roomsWithCandidate.length === 0)
      return { entitled: false, reason: RoutingReason.NotAddressed };
    if (tlp === 'RED') return { entitled: false, reason: RoutingReason.RedGroupNotAllowed };
    if (explicitOnly) return { entitled: false, reason: RoutingReason.TlpRequiresExplicitRecipient };
    if (groupsWithCandidate.some((group) => !isGroupExpired(group, this.input.now)))
      return { entitled: true, reason: RoutingReason.GroupMember };
    if (roomsWithCandidate.some((room) => !isRoomClosed(room, this.input.now)))
      return { entitled: true, reason: RoutingReason.RoomMember };
    return groupsWithCandidate.length > 0
      ? { entitled: false, reason: RoutingReason.GroupExpired }
      : { entitled: false, reason: RoutingReason.RoomClosed };
  }
}

/** One decision for every candidate (known agencies, previous recipients, addressees), sorted by recipient. */
export function decideRecipients(input: RoutingInput): RoutingDecision[] {
  const computation = new RoutingComputation(input);
  return computation.candidates().map((candidate) => computation.decide(candidate));
}

/** The decision for one recipient, e.g. to re-check a single delivery just before it is produced. */
export function decideRecipient(input: RoutingInput, candidate: string): RoutingDecision {
  return new RoutingComputation(input).decide(candidate);
}

export const RoutingPolicy = Object.freeze({
  decide: decideRecipient,
  decideRecipients,
});
