import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { CONTENT_COMMITMENT_SCHEME, DisclosedContent } from '@hub/merkle/content-commitment';
import { AuditPublisher } from '@hub/kafka/audit.publisher';
import { HubError } from '@hub/platform/errors';

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

/** The content and salt behind a version's commitment, for auditors; audited like every auditor query. */
@Injectable()
export class CommitmentDisclosure {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditPublisher,
  ) {}

  async disclose(principal: Principal, alertId: string, version: number): Promise<CommitmentDisclosureView> {
    await this.audit.publish([
      { type: AuditEventType.AuditQueried, actor: actorOf(principal), alertId, version, details: { query: 'commitment-disclosure' } },
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
      throw HubError.gone({ alertId, version, kind: row.kind, sender: row.sender, receivedAt: row.received_at.toISOString(), commitment: row.commitment, erasedAt: row.erased_at.toISOString() });
    }
    // Versions accepted before commitments existed have their content in the audit entry itself.
    if (!row.content_salt || !row.commitment) throw HubError.notFound('commitment (this version predates content commitments: its audit entry holds the content)');
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
}
