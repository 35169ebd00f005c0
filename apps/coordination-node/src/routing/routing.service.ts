import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AlertDeliveredMessage, AlertSubmittedMessage } from '@hub/contracts/messages';
import { decideRecipients, missingReferences, ReferenceView, RoutingDecision } from '@hub/contracts/policy';
import { HubService, Topic } from '@hub/contracts/topics';
import { auditMessage } from '@hub/kafka/audit.publisher';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { OutboxService } from '@hub/kafka/outbox.service';
import { ReferenceReplica } from '../reference/reference.replica';
import { deliveryIdFor } from './delivery-id';
import { referenceDigest, routingFact } from './routing-fact';

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
      // A constant number of statements per batch, whatever its size: each statement is a round trip, and round
      // trips were the node's main cost (BENCHMARKS.md).
      const fresh: { message_id: string }[] = await manager.query(
        `INSERT INTO coordination.processed_messages (message_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING RETURNING message_id::text`,
        [messages.map((m) => m.messageId)],
      );
      const unseen = new Set(fresh.map((row) => row.message_id));
      // (PostgreSQL returns uuids in lower case; a redelivered duplicate within the batch is routed once.)
      const routed = messages.filter((m) => unseen.delete(m.messageId.toLowerCase()));
      if (routed.length === 0) return { ids: [], routed };
      const previous: { alert_id: string; recipient: string }[] = await manager.query(
        `SELECT alert_id::text, recipient FROM coordination.alert_recipients WHERE alert_id = ANY($1::uuid[])`,
        [[...new Set(routed.map((m) => m.alertId))]],
      );
      const recipientsOf = new Map<string, Set<string>>();
      for (const row of previous) recipientsOf.set(row.alert_id, (recipientsOf.get(row.alert_id) ?? new Set()).add(row.recipient));

      const decided: { message: AlertSubmittedMessage; decision: RoutingDecision; deliveryId: string | null }[] = [];
      const outgoing: OutgoingMessage[] = [];
      for (const message of routed) {
        const holders = recipientsOf.get(message.alertId.toLowerCase()) ?? new Set<string>();
        recipientsOf.set(message.alertId.toLowerCase(), holders);
        const decisions = decideRecipients({
          kind: message.kind,
          sender: message.sender,
          content: message.alert,
          previousRecipients: [...holders],
          ref: reference,
          now: new Date(),
        });
        const decidedAt = new Date().toISOString();
        const outcomes: { decision: RoutingDecision; deliveryId: string | null }[] = [];
        const deliveries: OutgoingMessage[] = [];
        for (const decision of decisions) {
          const deliveryId = decision.decision === 'delivered' ? deliveryIdFor(message.alertId, message.version, decision.recipient) : null;
          decided.push({ message, decision, deliveryId });
          outcomes.push({ decision, deliveryId });
          if (deliveryId) {
            holders.add(decision.recipient);
            deliveries.push({ topic: Topic.AlertsDelivered, key: decision.recipient, value: this.delivery(message, decision, deliveryId, decidedAt) });
          }
        }
        // The decision before the deliveries it caused (their facts come from the gateway, on its own audit topic, and
        // name the decision's deliveryIds).
        outgoing.push(auditMessage(HubService.CoordinationNode, routingFact(message, outcomes, digest)), ...deliveries);
      }
      await manager.query(
        `INSERT INTO coordination.routing_decisions (alert_id, version, recipient, sender, kind, decision, reason, delivery_id)
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[])`,
        [
          decided.map((d) => d.message.alertId),
          decided.map((d) => d.message.version),
          decided.map((d) => d.decision.recipient),
          decided.map((d) => d.message.sender),
          decided.map((d) => d.message.kind),
          decided.map((d) => d.decision.decision),
          decided.map((d) => d.decision.reason),
          decided.map((d) => d.deliveryId),
        ],
      );
      // The content the feed shows (audit facts carry only commitments); never for an alert already erased.
      await manager.query(
        `INSERT INTO coordination.alert_contents (alert_id, version, content, cancel_reason)
         SELECT m.alert_id, m.version, m.content, m.cancel_reason FROM unnest($1::text[], $2::int[], $3::jsonb[], $4::text[]) AS m(alert_id, version, content, cancel_reason)
         WHERE NOT EXISTS (SELECT 1 FROM coordination.erased_alerts e WHERE e.alert_id = m.alert_id)
         ON CONFLICT DO NOTHING`,
        [
          routed.map((m) => m.alertId.toLowerCase()),
          routed.map((m) => m.version),
          routed.map((m) => JSON.stringify(m.alert)),
          routed.map((m) => m.cancelReason ?? null),
        ],
      );
      // One row per (alert, recipient): the first and last version of this batch delivered to it.
      const held = new Map<string, { alertId: string; recipient: string; first: number; last: number }>();
      for (const { message, decision, deliveryId } of decided) {
        if (!deliveryId) continue;
        const key = `${message.alertId}\n${decision.recipient}`;
        const row = held.get(key);
        if (row) row.last = Math.max(row.last, message.version);
        else held.set(key, { alertId: message.alertId, recipient: decision.recipient, first: message.version, last: message.version });
      }
      if (held.size > 0) {
        const rows = [...held.values()];
        await manager.query(
          `INSERT INTO coordination.alert_recipients (alert_id, recipient, first_version, last_version)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[])
           ON CONFLICT (alert_id, recipient) DO UPDATE SET last_version = EXCLUDED.last_version`,
          [rows.map((r) => r.alertId), rows.map((r) => r.recipient), rows.map((r) => r.first), rows.map((r) => r.last)],
        );
      }
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

  private delivery(message: AlertSubmittedMessage, decision: RoutingDecision, deliveryId: string, decidedAt: string): AlertDeliveredMessage {
    const recall = decision.asCancel === true && message.kind !== 'cancel';
    return {
      deliveryId,
      sourceMessageId: message.messageId,
      kind: recall ? 'cancel' : message.kind,
      alertId: message.alertId,
      version: message.version,
      sender: message.sender,
      recipient: decision.recipient,
      decidedAt,
      ...(recall || message.kind === 'cancel' ? {} : { alert: message.alert, ...(message.signature ? { signature: message.signature } : {}) }),
      ...(recall
        ? { cancelReason: 'You are no longer a recipient of this alert (withdrawn by an update).', withdrawn: true }
        : message.cancelReason
          ? { cancelReason: message.cancelReason }
          : {}),
    };
  }
}

/** The sender, addressees and groups the message names that the replica does not know yet. */
function unknownReferences(message: AlertSubmittedMessage, reference: ReferenceView): string[] {
  const missing = missingReferences(message.alert, reference);
  const senderKnown = reference.agencies.some((agency) => agency.id === message.sender);
  return [...(senderKnown ? [] : [message.sender]), ...missing.agencies, ...missing.sharingGroups];
}
