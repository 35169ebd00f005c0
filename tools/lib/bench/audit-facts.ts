/**
 * The audit facts the services state for one alert, in the current leaf formats (issue 11, docs/decisions/005):
 * one `alert.submitted` with its content commitment, one `routing.decided` per version (coordination-node's own
 * routingFact: delivered / withheld lists), one `alert.delivered` per recipient, one `inbox.streamed` per stream
 * batch (every 20th an `inbox.read` page) naming its items. The services' functions are loaded from source
 * (hub-source.ts); the gateway's submission, delivery and page facts are private to its services and rebuilt here
 * field by field (apps/agency-gateway/src/alerts/alerts.service.ts, inbox/inbox.service.ts). Used by the log
 * written through the services (audit-services.ts) and by the synthetic log (audit-scale.ts).
 */
import { randomUUID } from 'node:crypto';
import type { AlertSubmittedMessage } from '@hub/contracts/messages';
import type { RoutingDecision } from '@hub/contracts/policy';
import { HubService } from '@hub/contracts/topics';
import type { AuditFact } from '@hub/kafka/audit.publisher';
import type { AuditEntry, EntrySubject } from '../../../apps/audit-log/src/log/audit-entry';
import { hubSource, type HubSource } from './hub-source';
import { alertContent } from './payload';

export const AGENCIES = [
  'TJ-BENCH01',
  'KG-BENCH02',
  'KZ-BENCH03',
  'UZ-BENCH04',
  'TM-BENCH05',
  'AZ-BENCH06',
  'RU-BENCH07',
  'AF-BENCH08',
];
/** Each stream batch an agency reads covers this many alerts (the exchange measured ~5 entries per alert). */
const ALERTS_PER_READ_BATCH = 4;

/** What stays the same across alerts: key ids, inbox sequence numbers, the reference data's digest. */
export interface FactState {
  inboxSeq: Record<string, number>;
  keyIds: Record<string, string>;
  referenceDigest: string;
}

/** A fact as the service that states it would publish it. */
export interface ServiceFact {
  service: HubService.AgencyGateway | HubService.CoordinationNode;
  fact: AuditFact;
}

interface PendingItem {
  alertId: string;
  version: number;
  deliveryId: string;
  kind: string;
  cursor: string;
}

/** The facts of `count` alerts from alert number `first`: [{ service, fact }] in the order the services state them. */
export function factsOf(source: HubSource, first: number, count: number, state: FactState): ServiceFact[] {
  const { routingFact } = source.routing;
  const { contentCommitment, newContentSalt, saltedCommitment, COMMITMENT_DOMAINS, CONTENT_COMMITMENT_SCHEME } =
    source.merkle;
  const { AuditEventType, Role } = source.events;
  const { RoutingReason } = source.policy;
  const out: ServiceFact[] = [];
  const pending = new Map<string, PendingItem[]>(); // recipient → items not yet read
  for (let n = first; n < first + count; n++) {
    const senderIndex = n % AGENCIES.length;
    const sender = AGENCIES[senderIndex];
    const others = AGENCIES.filter((a) => a !== sender);
    const recipients = [others[n % 7], others[(n + 1) % 7], others[(n + 2) % 7]];
    const alertId = randomUUID();
    const messageId = randomUUID();
    const content = alertContent(n, recipients);
    // apps/agency-gateway/src/alerts/alerts.service.ts: the submission fact (committedDetails, no content).
    out.push({
      service: HubService.AgencyGateway,
      fact: {
        eventId: `submitted:${messageId}`,
        type: AuditEventType.AlertSubmitted,
        actor: { agencyId: sender, keyId: state.keyIds[sender], role: Role.Agency },
        alertId,
        version: 1,
        details: {
          messageId,
          idempotencyKeyCommitment: {
            scheme: CONTENT_COMMITMENT_SCHEME,
            hash: saltedCommitment(COMMITMENT_DOMAINS.idempotencyKey, newContentSalt(), {
              idempotencyKeyCommitment: {
                scheme: CONTENT_COMMITMENT_SCHEME,
                hash: saltedCommitment(COMMITMENT_DOMAINS.idempotencyKey, newContentSalt(), {
                  idempotencyKey: randomUUID(),
                }),
              },
            }),
          },
          commitment: {
            scheme: CONTENT_COMMITMENT_SCHEME,
            hash: contentCommitment(newContentSalt(), { alert: content, cancelReason: undefined }),
          },
          classification: { category: content.category, tlp: content.tlp, recipients },
        },
      },
    });
    const decisions = AGENCIES.map((candidate): { decision: RoutingDecision; deliveryId: string | null } => {
      if (candidate === sender)
        return {
          decision: { recipient: candidate, decision: 'withheld', reason: RoutingReason.Sender, asCancel: false },
          deliveryId: null,
        };
      if (recipients.includes(candidate))
        return {
          decision: { recipient: candidate, decision: 'delivered', reason: RoutingReason.Addressed, asCancel: false },
          deliveryId: randomUUID(),
        };
      return {
        decision: { recipient: candidate, decision: 'withheld', reason: RoutingReason.NotAddressed, asCancel: false },
        deliveryId: null,
      };
    });
    // routingFact reads only these fields of the submitted message.
    const submitted = { alertId, version: 1, sender, kind: 'alert', messageId } as AlertSubmittedMessage;
    out.push({
      service: HubService.CoordinationNode,
      fact: routingFact(submitted, decisions, state.referenceDigest),
    });
    for (const { decision, deliveryId } of decisions) {
      if (!deliveryId) continue;
      const inboxSeq = (state.inboxSeq[decision.recipient] = (state.inboxSeq[decision.recipient] || 0) + 1);
      // apps/agency-gateway/src/inbox/inbox.service.ts: one delivered fact per inbox row.
      out.push({
        service: HubService.AgencyGateway,
        fact: {
          eventId: `delivered:${deliveryId}`,
          type: AuditEventType.AlertDelivered,
          actor: { service: 'agency-gateway' },
          alertId,
          version: 1,
          recipient: decision.recipient,
          details: { deliveryId, kind: 'alert', sender, inboxSeq },
        },
      });
      const list = pending.get(decision.recipient) || [];
      list.push({ alertId, version: 1, deliveryId, kind: 'alert', cursor: String(inboxSeq) });
      pending.set(decision.recipient, list);
    }
    if ((n + 1) % ALERTS_PER_READ_BATCH === 0 || n === first + count - 1) {
      // inbox.service.ts recordSeen: one fact per stream batch (one in twenty a polled page), naming every item.
      for (const [recipient, items] of pending) {
        out.push({
          service: HubService.AgencyGateway,
          fact: {
            type: n % 20 === 19 ? AuditEventType.InboxRead : AuditEventType.InboxStreamed,
            actor: { agencyId: recipient, keyId: state.keyIds[recipient], role: Role.Agency },
            details: {
              count: items.length,
              fromCursor: items[0].cursor,
              toCursor: items[items.length - 1].cursor,
              items: items.map(({ alertId: a, version, deliveryId, kind }) => ({
                alertId: a,
                version,
                deliveryId,
                kind,
              })),
            },
          },
        });
      }
      pending.clear();
    }
  }
  return out;
}

/** The services' own functions the facts are built with (and the audit-log's, for entries and their subjects). */
export function factSources(): HubSource {
  return hubSource();
}

/** What stays the same across alerts: key ids, inbox sequence numbers, the reference data's digest. */
export function factState(source: HubSource): FactState {
  return {
    inboxSeq: {},
    keyIds: Object.fromEntries(AGENCIES.map((a, i) => [a, `k${String(i).padStart(23, '0')}`])),
    referenceDigest: source.routing.referenceDigest({
      agencies: AGENCIES.map((id) => ({ id, kind: 'national-agency' as const, active: true, country: id.slice(0, 2) })),
      sharingGroups: [],
    }),
  };
}

/**
 * The log entries the audit-log would append for those facts (its own auditEntryOf: the event as stated plus the
 * producing service), with what its subject index holds for each (its own entrySubjects), and the alert ids.
 */
export function serviceEntries(
  source: HubSource,
  state: FactState,
  first: number,
  count: number,
): { alertIds: string[]; entries: { entry: AuditEntry; subjects: EntrySubject[] }[] } {
  const alertIds: string[] = [];
  const entries: { entry: AuditEntry; subjects: EntrySubject[] }[] = [];
  for (const { service, fact } of factsOf(source, first, count, state)) {
    const entry = source.entry.auditEntryOf(source.publisher.auditEvent(fact), service);
    if (entry.type === source.events.AuditEventType.AlertSubmitted) alertIds.push(entry.alertId as string);
    entries.push({ entry, subjects: source.entry.entrySubjects(entry) });
  }
  return { alertIds, entries };
}
