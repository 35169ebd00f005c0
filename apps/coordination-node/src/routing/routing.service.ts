import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AlertRoutedMessage, AlertSubmittedMessage, RoutedDelivery } from '@hub/contracts/messages';
import { decideRecipients, missingReferences, ReferenceView, RoutingDecision, RoutingReason } from '@hub/contracts/policy';
import { HubService, Topic } from '@hub/contracts/topics';
import { auditMessage } from '@hub/kafka/audit.publisher';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { OutboxService } from '@hub/kafka/outbox.service';
import { ReferenceReplica } from '../reference/reference.replica';
import { deliveryIdFor } from './delivery-id';
import { referenceDigest, routingFact } from './routing-fact';
import { RecordedDecision, RoutingRepository } from './routing.repository';

/**
 * How long a submission naming an agency or group the node's replica does not know yet waits for the reference
 * topics to catch up before it is decided with what is known (the unknown party is then withheld, and audited).
 * The gateway accepts only parties it knows, so a miss here is replication lag — e.g. the reference consumer
 * still reconnecting after a broker outage while the routing consumer is already back.
 */
const REFERENCE_WAIT_MS = 30_000;
const REFERENCE_POLL_MS = 250;

/**
 * Where routing is decided. For each submitted version: dedup by messageId, re-apply the distribution policy to
 * every known agency, record every decision (one audit fact per version, see routingFact), and fan out the deliveries — all in one transaction with the
 * outbox, so the effects happen exactly once however often Kafka redelivers the message.
 */
@Injectable()
export class RoutingService {
  private readonly logger = new Logger(RoutingService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly replica: ReferenceReplica,
    private readonly outbox: OutboxService,
  ) {}

  /** Routes consecutive submissions in one transaction (one commit, one outbox publish). */
  async routeAll(messages: readonly AlertSubmittedMessage[], heartbeat: () => Promise<void>): Promise<void> {
    const reference = await this.awaitReferences(messages, heartbeat);
    const digest = referenceDigest(reference);
    const { ids, routed } = await this.dataSource.transaction(async (manager) => {
      const tables = new RoutingRepository(manager);
      const routed = await tables.claimUnseen(messages);
      if (routed.length === 0) return { ids: [], routed };
      const recipientsOf = await tables.recipientsOf(routed.map((m) => m.alertId));
      // A version reaching the node after its alert was erased (the erasure overtook it in Kafka) is decided as
      // usual, but nobody is sent it: each entitled candidate is withheld as ERASED, so the fact still names everyone.
      const erased = await tables.erasedAmong(routed.map((m) => m.alertId));

      const decided: RecordedDecision[] = [];
      const outgoing: OutgoingMessage[] = [];
      for (const message of routed) {
        const holders = recipientsOf.get(message.alertId.toLowerCase()) ?? new Set<string>();
        recipientsOf.set(message.alertId.toLowerCase(), holders);
        const policy = decideRecipients({
          kind: message.kind,
          sender: message.sender,
          content: message.alert,
          previousRecipients: [...holders],
          ref: reference,
          now: new Date(),
        });
        const decisions = erased.has(message.alertId.toLowerCase()) ? policy.map(withheldAsErased) : policy;
        const outcomes: { decision: RoutingDecision; deliveryId: string | null }[] = [];
        const deliveries: RoutedDelivery[] = [];
        for (const decision of decisions) {
          const deliveryId = decision.decision === 'delivered' ? deliveryIdFor(message.alertId, message.version, decision.recipient) : null;
          decided.push({ message, decision, deliveryId });
          outcomes.push({ decision, deliveryId });
          if (deliveryId) {
            holders.add(decision.recipient);
            deliveries.push(routedDelivery(message, decision, deliveryId));
          }
        }
        // The decision, then the one message that fans it out (the gateway's delivery facts name its deliveryIds).
        outgoing.push(auditMessage(HubService.CoordinationNode, routingFact(message, outcomes, digest)));
        if (deliveries.length > 0) outgoing.push({ topic: Topic.AlertsRouted, key: message.alertId, value: routedMessage(message, deliveries) });
      }
      await tables.record(decided);
      await tables.storeContents(routed);
      return { ids: await this.outbox.enqueue(manager, outgoing), routed };
    });
    await this.outbox.publish(ids);
    for (const message of routed) this.logger.log({ alertId: message.alertId, version: message.version, kind: message.kind }, 'routed');
  }

  /** The replica, once it knows every party the messages name, or after REFERENCE_WAIT_MS (heartbeating meanwhile). */
  private async awaitReferences(messages: readonly AlertSubmittedMessage[], heartbeat: () => Promise<void>): Promise<ReferenceView> {
    const deadline = Date.now() + REFERENCE_WAIT_MS;
    for (;;) {
      const reference = await this.replica.load();
      const missing = [...new Set(messages.flatMap((message) => unknownReferences(message, reference)))];
      if (missing.length === 0) return reference;
      if (Date.now() > deadline) {
        this.logger.warn({ missing, waitedMs: REFERENCE_WAIT_MS }, 'reference data still unknown: deciding with what is known');
        return reference;
      }
      await new Promise((resolve) => setTimeout(resolve, REFERENCE_POLL_MS));
      await heartbeat();
    }
  }
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
  return { deliveryId, recipient: decision.recipient, kind: recall ? 'cancel' : message.kind, ...(recall ? { withdrawn: true } : {}) };
}

/** An erased alert reaches nobody: a candidate the policy would have sent it to is withheld instead. */
function withheldAsErased(decision: RoutingDecision): RoutingDecision {
  return decision.decision === 'delivered' ? { recipient: decision.recipient, decision: 'withheld', reason: RoutingReason.Erased, asCancel: false } : decision;
}

/** The sender, addressees and groups the message names that the replica does not know yet. */
function unknownReferences(message: AlertSubmittedMessage, reference: ReferenceView): string[] {
  const missing = missingReferences(message.alert, reference);
  const senderKnown = reference.agencies.some((agency) => agency.id === message.sender);
  return [...(senderKnown ? [] : [message.sender]), ...missing.agencies, ...missing.sharingGroups];
}
