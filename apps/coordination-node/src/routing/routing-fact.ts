import { createHash } from 'node:crypto';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AlertSubmittedMessage } from '@hub/contracts/messages';
import { ReferenceView, RoutingDecision } from '@hub/contracts/policy';
import { AuditFact } from '@hub/kafka/audit.publisher';
import { canonicalJson } from '@hub/merkle/canonical-json';

/** One recipient that was sent the version (or a recall of it). */
export interface DeliveredOutcome {
  recipient: string;
  reason: string;
  deliveryId: string;
}

/** The agencies withheld for one reason. */
export interface WithheldOutcome {
  reason: string;
  agencies: string[];
}

/**
 * The one audit fact of a routing outcome: every candidate's decision for one alert version, delivered ones with
 * their deliveryIds, withheld ones grouped by reason, and a digest of the reference data it was decided on. One
 * entry per version, however many agencies the hub knows (it used to be one entry per known agency). The audit
 * log indexes the candidates (entry_subjects), so the trail and `?agency=` still answer per recipient.
 */
export function routingFact(
  message: AlertSubmittedMessage,
  decisions: readonly { decision: RoutingDecision; deliveryId: string | null }[],
  referenceDigest: string,
): AuditFact {
  const { delivered, withheld } = routingOutcomes(decisions);
  return {
    eventId: `routing:${message.alertId}:${message.version}`,
    type: AuditEventType.RoutingDecided,
    actor: { service: 'coordination-node' },
    alertId: message.alertId,
    version: message.version,
    details: {
      sender: message.sender,
      kind: message.kind,
      messageId: message.messageId,
      referenceDigest,
      candidates: decisions.length,
      delivered,
      withheld,
    },
  };
}

/**
 * A version's decisions as the fact names them and the node stores them: delivered ones by recipient with their
 * deliveryIds, withheld ones grouped by reason (reasons and agencies sorted), every candidate exactly once.
 */
export function routingOutcomes(decisions: readonly { decision: RoutingDecision; deliveryId: string | null }[]): {
  delivered: DeliveredOutcome[];
  withheld: WithheldOutcome[];
} {
  const delivered: DeliveredOutcome[] = [];
  const withheld = new Map<string, string[]>();
  for (const { decision, deliveryId } of decisions) {
    if (decision.decision === 'delivered' && deliveryId)
      delivered.push({ recipient: decision.recipient, reason: decision.reason, deliveryId });
    else withheld.set(decision.reason, [...(withheld.get(decision.reason) ?? []), decision.recipient]);
  }
  delivered.sort((a, b) => a.recipient.localeCompare(b.recipient));
  return {
    delivered,
    withheld: [...withheld.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reason, agencies]): WithheldOutcome => ({ reason, agencies: agencies.sort() })),
  };
}

/**
 * SHA-256 of the reference data a decision used (agencies with kind and state, groups with members and expiry),
 * in a canonical order: two decisions made on the same reference data name the same digest.
 */
export function referenceDigest(reference: ReferenceView): string {
  const agencies = [...reference.agencies]
    .map((a) => ({ id: a.id, kind: a.kind, active: a.active, country: a.country }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const sharingGroups = [...reference.sharingGroups]
    .map((g) => ({ id: g.id, members: [...g.members].sort(), expiresAt: g.expiresAt ?? null }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return createHash('sha256').update(canonicalJson({ agencies, sharingGroups })).digest('hex');
}
