import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import {
  COMMITMENT_DOMAINS,
  CONTENT_COMMITMENT_SCHEME,
  DisclosedAckNote,
  DisclosedContent,
  DisclosedProblems,
  saltedCommitment,
} from '@hub/merkle/content-commitment';
import { AuditPublisher } from '@hub/kafka/audit.publisher';
import { ErrorCode, HubError } from '@hub/platform/errors';
import { AcksRepository } from '../alerts/persistence/acks.repository';
import { RejectionsRepository } from '../alerts/persistence/rejections.repository';
import { ErasureRepository } from './erasure.repository';

export interface CommitmentDisclosureView {
  alertId: string;
  version: number;
  kind: string;
  sender: string;
  receivedAt: string;
  scheme: string;
  /** what the audit entry of this version holds (details.commitment.hash) */
  commitment: string;
  /** 64 hex digits */
  salt: string;
  disclosed: DisclosedContent;
}

/** An acknowledgement's note and salt, behind `details.noteCommitment.hash` of its alert.acked fact (eventId `ack:<ackId>`). */
export interface AckNoteDisclosureView {
  alertId: string;
  ackId: string;
  eventId: string;
  version: number;
  recipient: string;
  status: string;
  ackedAt: string;
  scheme: string;
  commitment: string;
  salt: string;
  disclosed: DisclosedAckNote;
}

/** A refused request's problems and salt, behind `details.problemsCommitment.hash` of its alert.rejected fact. */
export interface RejectionDisclosureView {
  eventId: string;
  sender: string;
  alertId: string | null;
  rejectedAt: string;
  scheme: string;
  commitment: string;
  salt: string;
  disclosed: DisclosedProblems;
}

/** Why an alert was erased and the salt, behind `details.reasonCommitment.hash` of its alert.erased fact. */
export interface ErasureReasonDisclosureView {
  alertId: string;
  erasedAt: string;
  requestedBy: { agencyId: string; keyId: string } | null;
  scheme: string;
  commitment: string;
  salt: string;
  disclosed: { reason: string };
}

/** The text and salt behind a commitment in the audit log, for auditors; each disclosure is audited like every auditor query. */
@Injectable()
export class CommitmentDisclosure {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditPublisher,
  ) {}

  async disclose(principal: Principal, alertId: string, version: number): Promise<CommitmentDisclosureView> {
    await this.audit.publish([
      {
        type: AuditEventType.AuditQueried,
        actor: actorOf(principal),
        alertId,
        version,
        details: { query: 'commitment-disclosure' },
      },
    ]);
    const [row]: {
      kind: string;
      sender: string;
      received_at: Date;
      content: unknown;
      cancel_reason: string | null;
      content_salt: Buffer | null;
      commitment: string | null;
      erased_at: Date | null;
    }[] = await this.dataSource.query(
      `SELECT v.kind, a.sender, v.received_at, v.content, v.cancel_reason, v.content_salt, v.commitment, a.erased_at
       FROM gateway.alert_versions v JOIN gateway.alerts a ON a.alert_id = v.alert_id WHERE v.alert_id = $1 AND v.version = $2`,
      [alertId, version],
    );
    if (!row) throw HubError.notFound('alert version');
    if (row.erased_at) {
      throw HubError.gone({
        alertId,
        version,
        kind: row.kind,
        sender: row.sender,
        receivedAt: row.received_at.toISOString(),
        commitment: row.commitment,
        erasedAt: row.erased_at.toISOString(),
      });
    }
    // Versions accepted before commitments existed have their content in the audit entry itself.
    if (!row.content_salt || !row.commitment)
      throw HubError.notFound(
        'commitment (this version predates content commitments: its audit entry holds the content)',
      );
    return {
      alertId,
      version,
      kind: row.kind,
      sender: row.sender,
      receivedAt: row.received_at.toISOString(),
      scheme: CONTENT_COMMITMENT_SCHEME,
      commitment: row.commitment,
      salt: row.content_salt.toString('hex'),
      disclosed: { alert: row.content, ...(row.cancel_reason ? { cancelReason: row.cancel_reason } : {}) },
    };
  }

  async discloseAckNote(principal: Principal, alertId: string, ackId: string): Promise<AckNoteDisclosureView> {
    await this.audit.publish([
      {
        type: AuditEventType.AuditQueried,
        actor: actorOf(principal),
        alertId,
        details: { query: 'ack-note-disclosure', eventId: `ack:${ackId}` },
      },
    ]);
    const ack = await new AcksRepository(this.dataSource).withNote(alertId, ackId);
    if (!ack) throw HubError.notFound('acknowledgement');
    const metadata = {
      alertId,
      ackId,
      eventId: `ack:${ackId}`,
      version: ack.version,
      recipient: ack.recipient,
      status: ack.status,
      ackedAt: ack.ackedAt.toISOString(),
    };
    // Acks without a note (and notes written before commitments, whose fact holds the note itself) have nothing to open.
    if (!ack.noteCommitment)
      throw HubError.notFound(
        'note commitment (this acknowledgement has none: no note, or its audit entry holds the note itself)',
      );
    if (ack.alertErasedAt)
      throw HubError.gone({ ...metadata, commitment: ack.noteCommitment, erasedAt: ack.alertErasedAt.toISOString() });
    if (ack.note === null || !ack.noteSalt) throw HubError.notFound('note');
    return {
      ...metadata,
      scheme: CONTENT_COMMITMENT_SCHEME,
      commitment: ack.noteCommitment,
      salt: ack.noteSalt.toString('hex'),
      disclosed: { note: ack.note },
    };
  }

  async discloseRejection(principal: Principal, eventId: string): Promise<RejectionDisclosureView> {
    await this.audit.publish([
      {
        type: AuditEventType.AuditQueried,
        actor: actorOf(principal),
        details: { query: 'rejection-disclosure', eventId },
      },
    ]);
    const rejection = await new RejectionsRepository(this.dataSource).find(eventId);
    // Rejections recorded before commitments hold their problems in the audit entry itself, and have no row.
    if (!rejection)
      throw HubError.notFound(
        'rejection (none recorded under this eventId: rejections before commitments hold their problems in the audit entry)',
      );
    const metadata = {
      eventId,
      sender: rejection.sender,
      alertId: rejection.alertId,
      rejectedAt: rejection.rejectedAt.toISOString(),
    };
    if (rejection.erasedAt || !rejection.problems || !rejection.salt) {
      // Erased at the end of its retention or with the alert it concerned; the fact and its commitment stay in the log.
      throw new HubError(
        ErrorCode.Gone,
        `The problems of rejection ${eventId} were erased on ${rejection.erasedAt?.toISOString() ?? 'an earlier date'}`,
        [{ path: 'eventId', message: 'problems erased' }],
      );
    }
    return {
      ...metadata,
      scheme: CONTENT_COMMITMENT_SCHEME,
      commitment: rejection.commitment,
      salt: rejection.salt.toString('hex'),
      disclosed: { problems: rejection.problems },
    };
  }

  async discloseErasureReason(principal: Principal, alertId: string): Promise<ErasureReasonDisclosureView> {
    await this.audit.publish([
      {
        type: AuditEventType.AuditQueried,
        actor: actorOf(principal),
        alertId,
        details: { query: 'erasure-disclosure' },
      },
    ]);
    const erased = await new ErasureRepository(this.dataSource.manager).record(alertId);
    // Erased by the retention job (no reason), or on a request made before reasons were committed (the fact holds it).
    if (!erased || erased.record.reason === undefined || !erased.record.reasonSalt)
      throw HubError.notFound(
        'erasure reason (the alert was not erased on a request whose fact commits to its reason)',
      );
    const { reason, reasonSalt } = erased.record;
    const salt = Buffer.from(reasonSalt, 'hex');
    return {
      alertId,
      erasedAt: erased.erasedAt.toISOString(),
      requestedBy: erased.record.requestedBy ?? null,
      scheme: CONTENT_COMMITMENT_SCHEME,
      commitment: saltedCommitment(COMMITMENT_DOMAINS.erasureReason, salt, { reason }),
      salt: reasonSalt,
      disclosed: { reason },
    };
  }
}
