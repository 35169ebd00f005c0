import { Module } from '@nestjs/common';
import { AuditEventsConsumer } from './audit-events.consumer';
import { AuditLogAppender } from './audit-log.appender';
import { AuditLogWriter } from './audit-log.writer';
import { AuditLogReadings } from './audit-log.metrics';
import { SealedTreeReader } from './sealed-tree';

/** The write side: consume every audit event and append it, once, to the Merkle-tree log. */
@Module({
  providers: [AuditEventsConsumer, AuditLogAppender, AuditLogWriter, SealedTreeReader, AuditLogReadings],
  exports: [SealedTreeReader],
})
export class AuditLogModule {}
