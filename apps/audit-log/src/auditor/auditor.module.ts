import { Module } from '@nestjs/common';
import { AuditLogModule } from '../log/audit-log.module';
import { AuditEntriesReader } from './audit-entries.reader';
import { AuditExporter } from './audit-export';
import { AuditorController } from './auditor.controller';
import { AuditorQueriesRecorder } from './auditor-queries.recorder';
import { TreeService } from './tree.service';
import { VisibilityService } from './visibility.service';

@Module({
  imports: [AuditLogModule],
  controllers: [AuditorController],
  providers: [AuditEntriesReader, AuditExporter, AuditorQueriesRecorder, TreeService, VisibilityService],
})
export class AuditorModule {}
