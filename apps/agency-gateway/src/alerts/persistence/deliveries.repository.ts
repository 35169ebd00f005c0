import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SqlRunner } from '@hub/database/sql-runner';
import { AlertContent } from '@hub/contracts/alert/alert-content';
import { DeliveryKind } from '@hub/contracts/messages';

/** The latest delivery of an alert to one recipient, with the content of the latest one of its deliveries that had any. */
export interface LatestDelivery {
  version: number;
  kind: DeliveryKind;
  sender: string;
  cancelReason: string | null;
  withdrawn: boolean;
  deliveredAt: Date;
  alert: AlertContent | null;
  signature: string | null;
}

/** What a recipient could pass on: the kind of its latest delivery, whether withdrawn or erased, and the content. */
export interface ForwardableDelivery {
  kind: DeliveryKind;
  withdrawn: boolean;
  erased: boolean;
  alert: AlertContent | null;
}

/** The latest delivery of an alert to each of its recipients. */
export interface RecipientDelivery {
  recipient: string;
  version: number;
  kind: DeliveryKind;
  deliveredAt: Date;
}

interface LatestDeliveryRow {
  version: number;
  kind: DeliveryKind;
  sender: string;
  cancel_reason: string | null;
  withdrawn: boolean;
  delivered_at: Date;
  alert: AlertContent | null;
  signature: string | null;
}

interface RecipientDeliveryRow {
  recipient: string;
  version: number;
  kind: DeliveryKind;
  delivered_at: Date;
}

/**
 * What the alert use cases read of gateway.inbox: which versions of an alert reached which recipient (match
 * notices aside). The inbox module writes these rows; nothing here changes them.
 */
@Injectable()
export class DeliveriesRepository {
  constructor(@InjectDataSource() private readonly db: SqlRunner) {}

  within(transaction: SqlRunner): DeliveriesRepository {
    return new DeliveriesRepository(transaction);
  }

  /** The versions of the alert delivered to the recipient, each once; empty when it is not a recipient. */
  async versionsDelivered(recipient: string, alertId: string): Promise<number[]> {
    const rows = await this.db.query<{ version: number }>(
      `SELECT DISTINCT version FROM gateway.inbox WHERE recipient = $1 AND alert_id = $2 AND kind NOT IN ('match', 'hit')`,
      [recipient, alertId],
    );
    return rows.map((row) => row.version);
  }

  /** What a recipient reads of the alert; null when it is not a recipient. */
  async latestTo(recipient: string, alertId: string): Promise<LatestDelivery | null> {
    const [row] = await this.db.query<LatestDeliveryRow>(
      `SELECT latest.version, latest.kind, latest.sender, latest.cancel_reason, latest.withdrawn, latest.delivered_at, content.alert, content.signature
       FROM gateway.inbox latest
       LEFT JOIN LATERAL (SELECT c.alert, c.signature FROM gateway.inbox_items c WHERE c.recipient = $1 AND c.alert_id = $2 AND c.has_content
                          ORDER BY c.seq DESC LIMIT 1) content ON true
       WHERE latest.recipient = $1 AND latest.alert_id = $2 AND latest.kind NOT IN ('match', 'hit') ORDER BY latest.seq DESC LIMIT 1`,
      [recipient, alertId],
    );
    if (!row) return null;
    return {
      version: row.version,
      kind: row.kind,
      sender: row.sender,
      cancelReason: row.cancel_reason,
      withdrawn: row.withdrawn,
      deliveredAt: row.delivered_at,
      alert: row.alert,
      signature: row.signature,
    };
  }

  /** What the recipient could pass on of the alert; null when it is not a recipient. */
  async forwardable(recipient: string, alertId: string): Promise<ForwardableDelivery | null> {
    const [row] = await this.db.query<ForwardableDelivery>(
      `SELECT kind, withdrawn, erased,
              (SELECT c.alert FROM gateway.inbox_items c WHERE c.recipient = $1 AND c.alert_id = $2 AND c.has_content ORDER BY c.seq DESC LIMIT 1) AS alert
       FROM gateway.inbox WHERE recipient = $1 AND alert_id = $2 AND kind NOT IN ('match', 'hit') ORDER BY seq DESC LIMIT 1`,
      [recipient, alertId],
    );
    return row ?? null;
  }

  /** Each recipient's latest delivery of the alert (what its sender sees per recipient). */
  async latestPerRecipient(alertId: string): Promise<RecipientDelivery[]> {
    const rows = await this.db.query<RecipientDeliveryRow>(
      `SELECT DISTINCT ON (recipient) recipient, version, kind, delivered_at FROM gateway.inbox
       WHERE alert_id = $1 AND kind NOT IN ('match', 'hit') ORDER BY recipient, seq DESC`,
      [alertId],
    );
    return rows.map((row) => ({
      recipient: row.recipient,
      version: row.version,
      kind: row.kind,
      deliveredAt: row.delivered_at,
    }));
  }
}
