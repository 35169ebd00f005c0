import { Injectable, Logger } from '@nestjs/common';
import { AuditEvent } from '@hub/contracts/audit-event';
import { HubService } from '@hub/contracts/topics';
import { AuditConfig } from '../audit.config';
import { auditEntryOf, AuditEntry } from './audit-entry';
import { AppendResult, AuditLogWriter } from './audit-log.writer';
import { GroupCommit } from './group-commit';
import { LogIntegrityError } from './sealed-tree';
import { auditLogMetrics } from './audit-log.metrics';

const HALTED_RETRY_MS = 1000;
const HALTED_LOG_EVERY_MS = 30_000;

/**
 * Appends consumed audit events, batching concurrent ones into one transaction (see GroupCommit).
 *
 * When the log fails its integrity check, nothing is appended and the event is not dead-lettered either: an audit
 * event moved aside would be missing from the log. The handler waits (heartbeating, so the consumer keeps its
 * partitions) until an operator has restored the log, and the partition resumes where it stopped. It keeps waiting
 * even through a shutdown: a process stopped by force commits no offset, so the event comes back, whereas giving up
 * would send it to the dead-letter topic.
 */
@Injectable()
export class AuditLogAppender {
  private readonly logger = new Logger(AuditLogAppender.name);
  private readonly batches: GroupCommit<AuditEntry, AppendResult>;
  private lastHaltLog = { at: 0, message: '' };

  constructor(writer: AuditLogWriter, config: AuditConfig) {
    this.batches = new GroupCommit((entries) => writer.append(entries), config.AUDIT_APPEND_BATCH_MAX);
  }

  /**
   * Appends consecutive events (one partition's batch) in order, as written by `producer` (the service whose audit
   * topic they came on); resolves once all are in the log.
   */
  async appendAll(
    events: readonly AuditEvent[],
    producer: HubService,
    heartbeat: () => Promise<void>,
  ): Promise<AppendResult[]> {
    const entries = events.map((event) => auditEntryOf(event, producer));
    for (;;) {
      try {
        const results = await this.batches.submitAll(entries);
        auditLogMetrics.appendHalted.set(0);
        return results;
      } catch (error) {
        if (!(error instanceof LogIntegrityError)) throw error;
        auditLogMetrics.appendHalted.set(1);
        this.reportHalt(error);
        await new Promise((resolve) => setTimeout(resolve, HALTED_RETRY_MS));
        // A failed heartbeat (a rebalance) must not end the wait either: that would count as a failed attempt
        // and lead to the dead-letter topic. If the partition moved, the offset commit fails later and the new
        // owner appends the event once the log is restored (eventId dedup makes the second try harmless).
        await heartbeat().catch(() => undefined);
      }
    }
  }

  private reportHalt(error: LogIntegrityError): void {
    if (error.message === this.lastHaltLog.message && Date.now() - this.lastHaltLog.at < HALTED_LOG_EVERY_MS) return;
    this.lastHaltLog = { at: Date.now(), message: error.message };
    this.logger.error(
      { err: error.message, seq: error.seq },
      'audit log integrity check failed: appending is halted until the log is restored',
    );
  }
}
