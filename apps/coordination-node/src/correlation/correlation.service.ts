import { identifierKeyHash } from '@hub/merkle/content-commitment';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AlertSubmittedMessage } from '@hub/contracts/messages';
import { HubService, Topic } from '@hub/contracts/topics';
import { RoutingReason } from '@hub/contracts/policy';
import { auditMessage } from '@hub/kafka/audit.publisher';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { OutboxService } from '@hub/kafka/outbox.service';
import { CoordinationConfig } from '../coordination.config';
import { CorrelatedAlert, CorrelationRecord, describeCorrelation, matchNoticesOf, renderNotice } from './correlation-record';
import { RoutingRepository } from '../routing/routing.repository';
import { Identifier, identifiersOf } from '@hub/contracts/domain/identifiers';

/**
 * Earlier alerts considered per identifier, newest first. Bounds the work (and the size of one correlation
 * record) for an identifier that many alerts share, so the cost of indexing an alert never grows with history.
 */
export const MAX_MATCHES_PER_IDENTIFIER = 25;

/** Routing reasons under which an agency holds an alert's content (a withdrawal or cancel does not count). */
const CONTENT_REASONS = [RoutingReason.Addressed, RoutingReason.Regional, RoutingReason.GroupMember];

/** The advisory lock key of one identifier. */
function lockKey(identifier: Identifier): string {
  return `${identifier.kind}\n${identifier.key}`;
}

interface MatchRow {
  alert_id: string;
  sender: string;
  tlp: string;
  recipients: string[];
  version: number;
}

/** A recorded correlation and the version of each alert in it when it was found (the owners' notices name it). */
interface FoundCorrelation {
  record: CorrelationRecord;
  versions: ReadonlyMap<string, number>;
  foundAt: string;
}

/**
 * Cross-agency correlation, incremental: each alert version adds its identifiers to an index keyed by
 * (kind, key) and looks each new one up there — indexed reads only, no rescans of history. A match with an
 * alert of another agency is recorded, and audited (correlation.found) through the outbox in the same transaction.
 */
@Injectable()
export class CorrelationService {
  private readonly logger = new Logger(CorrelationService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly config: CoordinationConfig,
  ) {}

  /**
   * Indexes consecutive versions in one transaction. Idempotent by (alertId, version). Runs after the versions
   * were routed (and committed): who holds which alert (the routing decisions) decides what each owner may be told.
   */
  async indexAll(messages: readonly AlertSubmittedMessage[]): Promise<void> {
    const { ids, found } = await this.dataSource.transaction(async (manager) => {
      // Every identifier lock this transaction will need, taken up front in one order: two batches that share
      // identifiers then wait for each other instead of deadlocking.
      // (unnest yields the array's order, and the array is sorted here.)
      const keys = [...new Set(messages.filter((m) => m.kind !== 'cancel').flatMap((m) => identifiersOf(m.alert.subjects).map(lockKey)))].sort();
      if (keys.length > 0) await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended(k, 6346)) FROM unnest($1::text[]) AS k`, [keys]);
      const outgoing: OutgoingMessage[] = [];
      const found: { message: AlertSubmittedMessage; correlations: number }[] = [];
      for (const message of messages) {
        const correlations = await this.indexOne(manager, message);
        for (const { record, versions, foundAt } of correlations) {
          outgoing.push(this.auditOf(message, record));
          // Each owner is told in its inbox, once (deterministic notice ids), through the outbox of this same transaction.
          for (const notice of matchNoticesOf(record, (alertId) => versions.get(alertId) ?? message.version, foundAt)) {
            outgoing.push({ topic: Topic.MatchNotices, key: notice.recipient, value: notice });
          }
        }
        if (correlations.length > 0) found.push({ message, correlations: correlations.length });
      }
      return { ids: await this.outbox.enqueue(manager, outgoing), found };
    });
    await this.outbox.publish(ids);
    for (const { message, correlations } of found) {
      this.logger.log({ alertId: message.alertId, version: message.version, correlations }, 'correlations found');
    }
  }

  private async indexOne(manager: EntityManager, message: AlertSubmittedMessage): Promise<FoundCorrelation[]> {
    const fresh: unknown[] = await manager.query(
      `INSERT INTO coordination.correlation_indexed_versions (alert_id, version) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`,
      [message.alertId, message.version],
    );
    if (fresh.length === 0) return [];
    // Erased before this version was indexed (its submission was still on its way): nothing of it may be indexed.
    const erased: unknown[] = await manager.query(`SELECT 1 FROM coordination.erased_alerts WHERE alert_id = $1`, [message.alertId.toLowerCase()]);
    if (erased.length > 0) return [];
    if (message.kind === 'cancel') {
      // A cancelled alert no longer matches anything new; correlations already found stay on record.
      await manager.query(`DELETE FROM coordination.correlation_identifiers WHERE alert_id = $1`, [message.alertId]);
      await manager.query(`UPDATE coordination.correlation_alerts SET cancelled = true, version = $2 WHERE alert_id = $1`, [message.alertId, message.version]);
      return [];
    }
    return this.indexVersion(manager, message);
  }

  private async indexVersion(manager: EntityManager, message: AlertSubmittedMessage): Promise<FoundCorrelation[]> {
    const trigger: CorrelatedAlert = {
      alertId: message.alertId,
      agencyId: message.sender,
      tlp: message.alert.tlp,
      recipients: message.alert.distribution.recipients,
    };
    await manager.query(
      `INSERT INTO coordination.correlation_alerts (alert_id, sender, status, tlp, recipients, version) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (alert_id) DO UPDATE SET status = EXCLUDED.status, tlp = EXCLUDED.tlp, recipients = EXCLUDED.recipients, version = EXCLUDED.version`,
      [message.alertId, message.sender, message.alert.status, trigger.tlp, trigger.recipients, message.version],
    );
    const identifiers = identifiersOf(message.alert.subjects);
    // An update that drops an identifier must stop matching on it.
    await manager.query(
      `DELETE FROM coordination.correlation_identifiers WHERE alert_id = $1 AND (identifier_kind || E'\\n' || identifier_key) <> ALL($2::text[])`,
      [message.alertId, identifiers.map((id) => `${id.kind}\n${id.key}`)],
    );

    const records: FoundCorrelation[] = [];
    // Two agencies reporting the same identifier at the same moment would each miss the other's uncommitted row;
    // the lock per identifier (taken in indexAll) makes the second one look after the first has committed.
    for (const identifier of identifiers) {
      const added: unknown[] = await manager.query(
        `INSERT INTO coordination.correlation_identifiers (identifier_kind, identifier_key, alert_id, sender, status) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [identifier.kind, identifier.key, message.alertId, message.sender, message.alert.status],
      );
      // Already indexed by an earlier version: its matches were looked for then.
      if (added.length === 0) continue;
      const record = await this.correlate(manager, message, trigger, identifier);
      if (record) records.push(record);
    }
    return records;
  }

  /** One indexed lookup for the identifier, one for who holds what; an exercise never matches real traffic. */
  private async correlate(
    manager: EntityManager,
    message: AlertSubmittedMessage,
    trigger: CorrelatedAlert,
    identifier: Identifier,
  ): Promise<FoundCorrelation | null> {
    const rows: MatchRow[] = await manager.query(
      `SELECT i.alert_id, i.sender, a.tlp, a.recipients, a.version
       FROM coordination.correlation_identifiers i JOIN coordination.correlation_alerts a ON a.alert_id = i.alert_id
       WHERE i.identifier_kind = $1 AND i.identifier_key = $2 AND i.status = $3 AND i.sender <> $4 AND i.alert_id <> $5
       ORDER BY i.indexed_at DESC, i.alert_id LIMIT ${MAX_MATCHES_PER_IDENTIFIER}`,
      [identifier.kind, identifier.key, message.alert.status, trigger.agencyId, trigger.alertId],
    );
    if (rows.length === 0) return null;
    const matches: CorrelatedAlert[] = rows.map((row) => ({ alertId: row.alert_id, agencyId: row.sender, tlp: row.tlp, recipients: row.recipients }));
    const holdings = await this.holdings(manager, trigger, matches);
    const record = describeCorrelation({
      identifier,
      trigger,
      matches,
      holds: (alertId, agencyId) => holdings.has(`${alertId}\n${agencyId}`),
      regionalCentreId: this.config.REGIONAL_CENTRE_ID,
      identifierHashKey: this.config.IDENTIFIER_HASH_KEY,
    });
    if (!record) return null;
    const inserted: { found_at: Date }[] = await manager.query(
      `INSERT INTO coordination.correlations
         (correlation_id, alert_id, version, sender, identifier_kind, identifier_key, alerts, alert_ids, agencies, restricted, withheld_from_centre, notices)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT DO NOTHING RETURNING found_at`,
      [
        record.correlationId,
        trigger.alertId,
        message.version,
        trigger.agencyId,
        identifier.kind,
        identifier.key,
        JSON.stringify(record.alerts),
        record.alerts.map((a) => a.alertId),
        record.agencies,
        record.restricted,
        record.withheldFromCentre,
        JSON.stringify(record.notices),
      ],
    );
    if (inserted.length === 0) return null;
    const versions = new Map(rows.map((row) => [row.alert_id, row.version]));
    versions.set(trigger.alertId, message.version);
    return { record, versions, foundAt: inserted[0].found_at.toISOString() };
  }

  /**
   * Which of the pairs (other alert → owner) hold content, from each alert's latest routing decision for that
   * owner: the trigger's owner for every match, and every match's owner for the trigger.
   */
  private async holdings(manager: EntityManager, trigger: CorrelatedAlert, matches: CorrelatedAlert[]): Promise<Set<string>> {
    const reasons = await new RoutingRepository(manager).latestDeliveryReasons(
      { alertId: trigger.alertId, recipients: matches.map((m) => m.agencyId) },
      { alertIds: matches.map((m) => m.alertId), recipient: trigger.agencyId },
    );
    return new Set([...reasons].filter(([, reason]) => (CONTENT_REASONS as string[]).includes(reason)).map(([pair]) => pair));
  }

  private auditOf(message: AlertSubmittedMessage, record: CorrelationRecord): OutgoingMessage {
    return auditMessage(HubService.CoordinationNode, {
      eventId: `correlation:${record.correlationId}`,
      type: AuditEventType.CorrelationFound,
      actor: { service: 'coordination-node' },
      alertId: message.alertId,
      version: message.version,
      details: {
        correlationId: record.correlationId,
        // The log outlives the content: it shows that the alerts named the same identifier, not which one.
        identifier: { kind: record.identifier.kind, keyHash: identifierKeyHash(this.config.IDENTIFIER_HASH_KEY, record.identifier.kind, record.identifier.key) },
        alerts: record.alerts,
        agencies: record.agencies,
        restricted: record.restricted,
        withheldFromCentre: record.withheldFromCentre,
        // The same texts go to each owner's inbox as match notices (Topic.MatchNotices, see docs/decisions/match-notices.md).
        // (rendered without the identifier; the owners' inboxes got the full sentence)
        notices: record.notices.map((notice) => ({ ...notice, text: renderNotice(notice, null) })),
      },
    });
  }
}
