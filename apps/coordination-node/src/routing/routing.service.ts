import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AlertDeliveredMessage, AlertSubmittedMessage } from '@hub/contracts/messages';
import { decideRecipients, missingReferences, ReferenceView, RoutingDecision } from '@hub/contracts/policy';
import { Topic } from '@hub/contracts/topics';
import { auditMessage } from '@hub/kafka/audit.publisher';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { OutboxService } from '@hub/kafka/outbox.service';
import { ReferenceReplica } from '../reference/reference.replica';
import { deliveryIdFor } from './delivery-id';

export class ReferenceNotYetKnownError extends Error {}

/**
 * Where routing is decided. For each submitted version: dedup by messageId, re-apply the distribution policy to
 * every known agency, record every decision, and fan out the deliveries — all in one transaction with the
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

  /**
   * Routes consecutive submissions in one transaction (one commit, one outbox publish).
   * `lastAttempt`: decide with the reference data we have, even if it does not know every agency named.
   */
  async routeAll(messages: readonly AlertSubmittedMessage[], lastAttempt: boolean): Promise<void> {
    const reference = await this.replica.load();
    for (const message of messages) {
      const missing = unknownReferences(message, reference);
      if (missing.length > 0 && !lastAttempt) {
        // Reference topics and submissions are separate topics: give the replica a moment to catch up.
        throw new ReferenceNotYetKnownError(`reference data not yet replicated: ${missing.join(', ')}`);
      }
    }
    const { ids, routed } = await this.dataSource.transaction(async (manager) => {
      const outgoing: OutgoingMessage[] = [];
      const routed: AlertSubmittedMessage[] = [];
      for (const message of messages) {
        const produced = await this.decide(manager, message, reference);
        if (produced === null) continue;
        outgoing.push(...produced);
        routed.push(message);
      }
      return { ids: await this.outbox.enqueue(manager, outgoing), routed };
    });
    await this.outbox.publish(ids);
    for (const message of routed) this.logger.log({ alertId: message.alertId, version: message.version, kind: message.kind }, 'routed');
  }

  /** One version's decisions and deliveries, or null when this message was routed before (a redelivery). */
  private async decide(manager: EntityManager, message: AlertSubmittedMessage, reference: ReferenceView): Promise<OutgoingMessage[] | null> {
    const fresh: unknown[] = await manager.query(
      `INSERT INTO coordination.processed_messages (message_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING 1`,
      [message.messageId],
    );
    if (fresh.length === 0) return null;
    const previous: { recipient: string }[] = await manager.query(`SELECT recipient FROM coordination.alert_recipients WHERE alert_id = $1`, [
      message.alertId,
    ]);
    const decisions = decideRecipients({
      kind: message.kind,
      sender: message.sender,
      content: message.alert,
      previousRecipients: previous.map((p) => p.recipient),
      ref: reference,
      now: new Date(),
    });
    const outgoing: OutgoingMessage[] = [];
    const decidedAt = new Date().toISOString();
    const rows = decisions.map((decision) => ({
      decision,
      deliveryId: decision.decision === 'delivered' ? deliveryIdFor(message.alertId, message.version, decision.recipient) : null,
    }));
    // One statement for all decisions and one for the recipients: statements, not rows, are what cost here.
    await manager.query(
      `INSERT INTO coordination.routing_decisions (alert_id, version, recipient, sender, kind, decision, reason, delivery_id)
       SELECT $1::uuid, $2::int, r.recipient, $3, $4, r.decision, r.reason, r.delivery_id
       FROM unnest($5::text[], $6::text[], $7::text[], $8::uuid[]) AS r(recipient, decision, reason, delivery_id)`,
      [
        message.alertId,
        message.version,
        message.sender,
        message.kind,
        rows.map((row) => row.decision.recipient),
        rows.map((row) => row.decision.decision),
        rows.map((row) => row.decision.reason),
        rows.map((row) => row.deliveryId),
      ],
    );
    const delivered = rows.filter((row) => row.deliveryId !== null);
    if (delivered.length > 0) {
      await manager.query(
        `INSERT INTO coordination.alert_recipients (alert_id, recipient, first_version, last_version)
         SELECT $1::uuid, r, $2::int, $2::int FROM unnest($3::text[]) AS r
         ON CONFLICT (alert_id, recipient) DO UPDATE SET last_version = EXCLUDED.last_version`,
        [message.alertId, message.version, delivered.map((row) => row.decision.recipient)],
      );
    }
    for (const { decision, deliveryId } of rows) {
      outgoing.push(
        auditMessage({
          eventId: `routing:${message.alertId}:${message.version}:${decision.recipient}`,
          type: AuditEventType.RoutingDecided,
          actor: { service: 'coordination-node' },
          alertId: message.alertId,
          version: message.version,
          recipient: decision.recipient,
          decision: decision.decision,
          reason: decision.reason,
          details: { sender: message.sender, kind: message.kind, messageId: message.messageId, deliveryId },
        }),
      );
      if (deliveryId) {
        outgoing.push({ topic: Topic.AlertsDelivered, key: decision.recipient, value: this.delivery(message, decision, deliveryId, decidedAt) });
      }
    }
    return outgoing;
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
      ...(recall || message.kind === 'cancel' ? {} : { alert: message.alert }),
      ...(recall ? { cancelReason: 'You are no longer a recipient of this alert (withdrawn by an update).' } : message.cancelReason ? { cancelReason: message.cancelReason } : {}),
    };
  }
}

/** The sender, addressees and groups the message names that the replica does not know yet. */
function unknownReferences(message: AlertSubmittedMessage, reference: ReferenceView): string[] {
  const missing = missingReferences(message.alert, reference);
  const senderKnown = reference.agencies.some((agency) => agency.id === message.sender);
  return [...(senderKnown ? [] : [message.sender]), ...missing.agencies, ...missing.sharingGroups];
}
