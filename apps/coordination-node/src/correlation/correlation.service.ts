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
import {
  CorrelatedAlert,
  CorrelationRecord,
  describeCorrelation,
  matchNoticesOf,
  renderNotice,
} from './correlation-record';
import { RoutingRepository } from '../routing/routing.repository';
import { coordinationMetrics } from '../routing/routing.metrics';
import { Identifier, identifiersOf } from '@hub/contracts/domain/identifiers';

/**
 * Earlier alerts considered per identifier, newest first. Bounds the work (and the size of one correlation
 * record) for an identifier that many alerts share, so the cost of indexing an alert never grows with history.
 */
export const MAX_MATCHES_PER_IDENTIFIER = 25;

/** Routing reasons under which an agency holds an alert's content (a withdrawal or cancel does not count). */
const CONTENT_REASONS = [
  RoutingReason.Addressed,
  RoutingReason.Regional,
  RoutingReason.GroupMember,
  RoutingReason.RoomMember,
];

/**
 * The start of both indexing statements: claims ($1 alertId, $2 version) and yields one row in `live` only if this
 * version was not indexed before and its alert ($3, lower case) was not erased; every later step is conditional on it.
 */
const LIVE_VERSION_CTE = `WITH fresh AS (
  INSERT INTO coordination.correlation_indexed_versions (alert_id, version) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1
), live AS (
  SELECT 1 FROM fresh WHERE NOT EXISTS (SELECT 1 FROM coordination.erased_alerts WHERE alert_id = $3)
)`;

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
   * The match keys of an alert's subjects as this node stores them: a person's name and date of birth only as their
   * keyed hash (IDENTIFIER_HASH_KEY), so that the index, the correlation record and the notices never hold them
   * (docs/decisions/017-persons-across-scripts.md); the other identifiers as before.
   */
  private matchKeysOf(subjects: unknown): Identifier[] {
    return identifiersOf(subjects).map((identifier) =>
      identifier.kind === 'person-name'
        ? {
            kind: identifier.kind,
            key: identifierKeyHash(this.config.IDENTIFIER_HASH_KEY, identifier.kind, identifier.key),
          }
        : identifier,
    );
  }

  /**
   * Indexes consecutive versions in one transaction. Idempotent by (alertId, version). Runs after the versions
   * were routed (and committed): who holds which alert (the routing decisions) decides what each owner may be told.
   */
  async indexAll(messages: readonly AlertSubmittedMessage[]): Promise<void> {
    const { ids, found } = await this.dataSource.transaction(async (manager) => {
      // Every identifier lock this transaction will need, taken up front in one order: two batches that share
      // identifiers then wait for each other instead of deadlocking.
      // (unnest yields the array's order, and the array is sorted here.)
      const keys = [
        ...new Set(
          messages.filter((m) => m.kind !== 'cancel').flatMap((m) => this.matchKeysOf(m.alert.subjects).map(lockKey)),
        ),
      ].sort();
      if (keys.length > 0)
        await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended(k, 6346)) FROM unnest($1::text[]) AS k`, [
          keys,
        ]);
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
    coordinationMetrics.correlationsFound.inc(found.reduce((sum, { correlations }) => sum + correlations, 0));
    await this.outbox.publish(ids);
    for (const { message, correlations } of found) {
      this.logger.log({ alertId: message.alertId, version: message.version, correlations }, 'correlations found');
    }
  }

  /**
   * One statement per version (docs/decisions/009-hot-path.md): claims (alertId, version), and — unless it was indexed
   * before or its alert was erased (its submission was still on its way) — records the alert, drops the identifiers an
   * update no longer names, adds the new ones and returns, for each identifier added, the earlier alerts of other
   * agencies that named it. The statement's snapshot holds every earlier version of the transaction, so two versions of
   * one batch that share an identifier still find each other.
   */
  private async indexOne(manager: EntityManager, message: AlertSubmittedMessage): Promise<FoundCorrelation[]> {
    if (message.kind === 'cancel') {
      // A cancelled alert no longer matches anything new; correlations already found stay on record.
      await manager.query(
        `${LIVE_VERSION_CTE}, dropped AS (
           DELETE FROM coordination.correlation_identifiers WHERE alert_id = $1 AND EXISTS (SELECT 1 FROM live)
         )
         UPDATE coordination.correlation_alerts SET cancelled = true, version = $2 WHERE alert_id = $1 AND EXISTS (SELECT 1 FROM live)`,
        [message.alertId, message.version, message.alertId.toLowerCase()],
      );
      return [];
    }
    const trigger: CorrelatedAlert = {
      alertId: message.alertId,
      agencyId: message.sender,
      tlp: message.alert.tlp,
      recipients: message.alert.distribution.recipients,
    };
    const identifiers = this.matchKeysOf(message.alert.subjects);
    // Two agencies reporting the same identifier at the same moment would each miss the other's uncommitted row;
    // the lock per identifier (taken in indexAll) makes the second one look after the first has committed.
    const added: { kind: Identifier['kind']; key: string; matches: MatchRow[] }[] = await manager.query(
      `${LIVE_VERSION_CTE}, alert AS (
         INSERT INTO coordination.correlation_alerts (alert_id, sender, status, tlp, recipients, version)
         SELECT $1::uuid, $4::text, $5::text, $6::text, $7::text[], $2::int FROM live
         ON CONFLICT (alert_id) DO UPDATE SET status = EXCLUDED.status, tlp = EXCLUDED.tlp, recipients = EXCLUDED.recipients, version = EXCLUDED.version
       ), wanted AS (
         SELECT w.kind, w.key, w.n FROM live, unnest($8::text[], $9::text[]) WITH ORDINALITY AS w(kind, key, n)
       ), dropped AS (
         -- An update that drops an identifier must stop matching on it.
         DELETE FROM coordination.correlation_identifiers i
         WHERE i.alert_id = $1 AND EXISTS (SELECT 1 FROM live)
           AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.kind = i.identifier_kind AND w.key = i.identifier_key)
       ), added AS (
         -- An identifier already indexed by an earlier version had its matches looked for then.
         INSERT INTO coordination.correlation_identifiers (identifier_kind, identifier_key, alert_id, sender, status)
         SELECT kind, key, $1::uuid, $4::text, $5::text FROM wanted
         ON CONFLICT DO NOTHING RETURNING identifier_kind, identifier_key
       )
       SELECT a.identifier_kind AS kind, a.identifier_key AS key, m.matches
       FROM added a JOIN wanted w ON w.kind = a.identifier_kind AND w.key = a.identifier_key
       CROSS JOIN LATERAL (
         SELECT coalesce(json_agg(json_build_object('alert_id', x.alert_id, 'sender', x.sender, 'tlp', x.tlp, 'recipients', x.recipients, 'version', x.version)
                                  ORDER BY x.indexed_at DESC, x.alert_id), '[]') AS matches
         FROM (
           SELECT i.alert_id, i.sender, c.tlp, c.recipients, c.version, i.indexed_at
           FROM coordination.correlation_identifiers i JOIN coordination.correlation_alerts c ON c.alert_id = i.alert_id
           WHERE i.identifier_kind = a.identifier_kind AND i.identifier_key = a.identifier_key AND i.status = $5 AND i.sender <> $4 AND i.alert_id <> $1
           ORDER BY i.indexed_at DESC, i.alert_id LIMIT ${MAX_MATCHES_PER_IDENTIFIER}
         ) x
       ) m
       ORDER BY w.n`,
      [
        message.alertId,
        message.version,
        message.alertId.toLowerCase(),
        message.sender,
        message.alert.status,
        trigger.tlp,
        trigger.recipients,
        identifiers.map((id) => id.kind),
        identifiers.map((id) => id.key),
      ],
    );
    const records: FoundCorrelation[] = [];
    for (const { kind, key, matches } of added) {
      if (matches.length === 0) continue;
      const record = await this.correlate(manager, message, trigger, { kind, key }, matches);
      if (record) records.push(record);
    }
    return records;
  }

  /** Records what the matches of one identifier mean for their owners; an exercise never matches real traffic. */
  private async correlate(
    manager: EntityManager,
    message: AlertSubmittedMessage,
    trigger: CorrelatedAlert,
    identifier: Identifier,
    rows: MatchRow[],
  ): Promise<FoundCorrelation | null> {
    const matches: CorrelatedAlert[] = rows.map((row) => ({
      alertId: row.alert_id,
      agencyId: row.sender,
      tlp: row.tlp,
      recipients: row.recipients,
    }));
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
  private async holdings(
    manager: EntityManager,
    trigger: CorrelatedAlert,
    matches: CorrelatedAlert[],
  ): Promise<Set<string>> {
    const reasons = await new RoutingRepository(manager).latestDeliveryReasons(
      { alertId: trigger.alertId, recipients: matches.map((m) => m.agencyId) },
      { alertIds: matches.map((m) => m.alertId), recipient: trigger.agencyId },
    );
    return new Set(
      [...reasons].filter(([, reason]) => (CONTENT_REASONS as string[]).includes(reason)).map(([pair]) => pair),
    );
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
        identifier: {
          kind: record.identifier.kind,
          keyHash: identifierKeyHash(this.config.IDENTIFIER_HASH_KEY, record.identifier.kind, record.identifier.key),
        },
        alerts: record.alerts,
        agencies: record.agencies,
        restricted: record.restricted,
        withheldFromCentre: record.withheldFromCentre,
        // The same texts go to each owner's inbox as match notices (Topic.MatchNotices, see docs/decisions/013-match-notices-and-written-identifiers.md).
        // (rendered without the identifier; the owners' inboxes got the full sentence)
        notices: record.notices.map((notice) => ({ ...notice, text: renderNotice(notice, null) })),
      },
    });
  }
}
