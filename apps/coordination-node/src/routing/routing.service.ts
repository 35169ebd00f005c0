import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AlertRoutedMessage, AlertSubmittedMessage, RoutedDelivery } from '@hub/contracts/messages';
import {
  decideRecipients,
  missingReferences,
  ReferenceView,
  RoutingDecision,
  RoutingReason,
} from '@hub/contracts/policy';
import { HubService, Topic } from '@hub/contracts/topics';
import { auditMessage } from '@hub/kafka/audit.publisher';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { OutboxService } from '@hub/kafka/outbox.service';
import { ReferenceReplica } from '../reference/reference.replica';
import { deliveryIdFor } from './delivery-id';
import { referenceDigest, routingFact, routingOutcomes } from './routing-fact';
import { RoutedVersion, RoutingRepository, RoutingState } from './routing.repository';
import { countRoutingDecisions } from './routing.metrics';

/**
 * How long a submission naming an agency or group the node's replica does not know yet waits for the reference
 * topics to catch up before it is decided with what is known (the unknown party is then withheld, and audited).
 * The gateway accepts only parties it knows, so a miss here is replication lag — e.g. the reference consumer
 * still reconnecting after a broker outage while the routing consumer is already back.
 */
const REFERENCE_WAIT_MS = 30_000;
const REFERENCE_POLL_MS = 250;

/**
 * Where routing is decided. For a batch of submitted versions: dedup by messageId, re-apply the distribution policy to
 * every candidate in memory (an alert's earlier versions of the batch first), and store the deliveries, the withheld
 * agencies, the routing facts (one audit fact per version, see routingFact) and the routed messages with the outbox —
 * one read and one write statement per batch (docs/decisions/009-hot-path.md), so the effects happen exactly once
 * however often Kafka redelivers a message.
 */
@Injectable()
export class RoutingService {
  private readonly logger = new Logger(RoutingService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly replica: ReferenceReplica,
    private readonly outbox: OutboxService,
  ) {}

  /** Routes consecutive submissions together (one write statement, one outbox publish). */
  async routeAll(messages: readonly AlertSubmittedMessage[], heartbeat: () => Promise<void>): Promise<void> {
    const reference = await this.awaitReferences(messages, heartbeat);
    const tables = new RoutingRepository(this.dataSource);
    const state = await tables.stateOf(messages);
    const { versions, outgoing } = decideBatch(unseen(messages, state.processed), state, reference, new Date());
    if (versions.length === 0) return;
    const ids = await tables.write(versions, outgoing, this.outbox);
    countRoutingDecisions(versions);
    await this.outbox.publish(ids, outgoing);
    for (const { message } of versions)
      this.logger.log({ alertId: message.alertId, version: message.version, kind: message.kind }, 'routed');
  }

  /** The replica, once it knows every party the messages name, or after REFERENCE_WAIT_MS (heartbeating meanwhile). */
  private async awaitReferences(
    messages: readonly AlertSubmittedMessage[],
    heartbeat: () => Promise<void>,
  ): Promise<ReferenceView> {
    const deadline = Date.now() + REFERENCE_WAIT_MS;
    for (;;) {
      const reference = await this.replica.load();
      const missing = [...new Set(messages.flatMap((message) => unknownReferences(message, reference)))];
      if (missing.length === 0) return reference;
      if (Date.now() > deadline) {
        this.logger.warn(
          { missing, waitedMs: REFERENCE_WAIT_MS },
          'reference data still unknown: deciding with what is known',
        );
        return reference;
      }
      await new Promise((resolve) => setTimeout(resolve, REFERENCE_POLL_MS));
      await heartbeat();
    }
  }
}

/** The messages not routed before, each once (a duplicate within the batch counts once). */
export function unseen(
  messages: readonly AlertSubmittedMessage[],
  processed: ReadonlySet<string>,
): AlertSubmittedMessage[] {
  const seen = new Set(processed);
  return messages.filter((m) => {
    const id = m.messageId.toLowerCase();
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * The decisions of a batch, in memory, in message order: a version is decided on the recipients of every earlier
 * version, those stored (`state`) and those of the batch before it, so two versions of one alert in one batch behave
 * as if routed one after the other. Returns what to store and the outbox messages: per version its routing fact,
 * then (if anyone is sent it) the one routed message that fans it out.
 */
export function decideBatch(
  messages: readonly AlertSubmittedMessage[],
  state: Pick<RoutingState, 'recipientsOf' | 'erased'>,
  reference: ReferenceView,
  now: Date,
): { versions: RoutedVersion[]; outgoing: OutgoingMessage[] } {
  const digest = referenceDigest(reference);
  const recipientsOf = new Map([...state.recipientsOf].map(([alertId, holders]) => [alertId, new Set(holders)]));
  const versions: RoutedVersion[] = [];
  const outgoing: OutgoingMessage[] = [];
  for (const message of messages) {
    const alertId = message.alertId.toLowerCase();
    const holders = recipientsOf.get(alertId) ?? new Set<string>();
    recipientsOf.set(alertId, holders);
    const policy = decideRecipients({
      kind: message.kind,
      sender: message.sender,
      content: message.alert,
      previousRecipients: [...holders],
      ref: reference,
      now,
    });
    // A version reaching the node after its alert was erased (the erasure overtook it in Kafka) is decided as usual,
    // but nobody is sent it: each entitled candidate is withheld as ERASED, so the fact still names everyone.
    const decisions = state.erased.has(alertId) ? policy.map(withheldAsErased) : policy;
    const outcomes = decisions.map((decision) => ({
      decision,
      deliveryId:
        decision.decision === 'delivered' ? deliveryIdFor(message.alertId, message.version, decision.recipient) : null,
    }));
    const deliveries: RoutedDelivery[] = [];
    for (const { decision, deliveryId } of outcomes) {
      if (!deliveryId) continue;
      holders.add(decision.recipient);
      deliveries.push(routedDelivery(message, decision, deliveryId));
    }
    versions.push({ message, ...routingOutcomes(outcomes) });
    // The decision, then the one message that fans it out (the gateway's delivery facts name its deliveryIds).
    outgoing.push(auditMessage(HubService.CoordinationNode, routingFact(message, outcomes, digest)));
    if (deliveries.length > 0)
      outgoing.push({ topic: Topic.AlertsRouted, key: message.alertId, value: routedMessage(message, deliveries) });
  }
  return { versions, outgoing };
}

/** The one message that fans a routed version out: its recipients, no content (the gateway holds the version). */
function routedMessage(message: AlertSubmittedMessage, deliveries: RoutedDelivery[]): AlertRoutedMessage {
  return {
    sourceMessageId: message.messageId,
    kind: message.kind,
    alertId: message.alertId,
    version: message.version,
    sender: message.sender,
    decidedAt: new Date().toISOString(),
    deliveries,
  };
}

/** A recall reaches an earlier recipient as a cancel that withdraws the alert from it. */
function routedDelivery(message: AlertSubmittedMessage, decision: RoutingDecision, deliveryId: string): RoutedDelivery {
  const recall = decision.asCancel === true && message.kind !== 'cancel';
  return {
    deliveryId,
    recipient: decision.recipient,
    kind: recall ? 'cancel' : message.kind,
    ...(recall ? { withdrawn: true } : {}),
  };
}

/** An erased alert reaches nobody: a candidate the policy would have sent it to is withheld instead. */
function withheldAsErased(decision: RoutingDecision): RoutingDecision {
  return decision.decision === 'delivered'
    ? { recipient: decision.recipient, decision: 'withheld', reason: RoutingReason.Erased, asCancel: false }
    : decision;
}

/** The sender, addressees and groups the message names that the replica does not know yet. */
function unknownReferences(message: AlertSubmittedMessage, reference: ReferenceView): string[] {
  const missing = missingReferences(message.alert, reference);
  const senderKnown = reference.agencies.some((agency) => agency.id === message.sender);
  return [...(senderKnown ? [] : [message.sender]), ...missing.agencies, ...missing.sharingGroups, ...missing.rooms];
}
