import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AckRequest } from '@hub/contracts/alert/requests';
import { parseContent } from '@hub/contracts/alert/validate';
import { HubService } from '@hub/contracts/topics';
import { CONTENT_COMMITMENT_SCHEME } from '@hub/merkle/content-commitment';
import { auditMessage } from '@hub/kafka/audit.publisher';
import { OutboxService } from '@hub/kafka/outbox.service';
import { HubError } from '@hub/platform/errors';
import { Refusals } from '../admission/refusals';
import { AcksRepository } from '../persistence/acks.repository';
import { AlertsRepository } from '../persistence/alerts.repository';
import { DeliveriesRepository } from '../persistence/deliveries.repository';
import { committedNote } from '../stored-version';

/** A recipient acknowledges a version delivered to it (received, actioned, rejected), with an optional note. */
@Injectable()
export class AcknowledgeAlert {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly alerts: AlertsRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly acks: AcksRepository,
    private readonly outbox: OutboxService,
    private readonly refusals: Refusals,
  ) {}

  async acknowledge(
    principal: Principal,
    alertId: string,
    body: unknown,
  ): Promise<{ alertId: string; version: number; status: string }> {
    const delivered = await this.deliveries.versionsDelivered(principal.agencyId, alertId);
    if (delivered.length === 0) return this.refusals.notFound(principal, alertId, 'ack', 'not-a-recipient');
    const parsed = await parseContent(body, AckRequest);
    if (!parsed.ok) throw HubError.validation(parsed.errors);
    const ack = parsed.value;
    if (!delivered.includes(ack.version)) {
      throw HubError.validation([
        {
          path: 'version',
          message: `version ${ack.version} was not delivered to you (delivered: ${delivered.join(', ')})`,
        },
      ]);
    }
    // The note is free text about the alert: the log gets a salted commitment, the note and salt stay in gateway.acks.
    const note = ack.note ? committedNote(ack.note) : null;
    const ids = await this.dataSource.transaction(async (manager) => {
      // An ack of an erased alert is refused (410): its note is personal data about the alert that no sweep would
      // remove any more. Checked under a lock the erasure waits for.
      const erasedAt = await this.alerts.within(manager).erasedAtLocked(alertId);
      if (erasedAt !== null) throw HubError.gone({ alertId, erasedAt: erasedAt.toISOString() });
      const id = await this.acks.within(manager).insert({
        alertId,
        version: ack.version,
        recipient: principal.agencyId,
        status: ack.status,
        keyId: principal.keyId,
        note,
      });
      return this.outbox.enqueue(manager, [
        auditMessage(HubService.AgencyGateway, {
          eventId: `ack:${id}`,
          type: AuditEventType.AlertAcked,
          actor: actorOf(principal),
          alertId,
          version: ack.version,
          reason: ack.status,
          // Without a note the fact keeps the shape it always had.
          details: note
            ? { status: ack.status, noteCommitment: { scheme: CONTENT_COMMITMENT_SCHEME, hash: note.commitment } }
            : { status: ack.status, note: null },
        }),
      ]);
    });
    await this.outbox.publish(ids);
    return { alertId, version: ack.version, status: ack.status };
  }
}
