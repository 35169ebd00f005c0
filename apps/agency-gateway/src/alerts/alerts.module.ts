import { Module } from '@nestjs/common';
import { SigningModule } from '../signing/signing.module';
import { ReferenceSnapshot } from '../reference/reference.snapshot';
import { InterchangeService } from '../interchange/interchange.service';
import { AlertsController } from './alerts.controller';
import { IdentifierIndex } from './identifier-index';
import { ContentCheck } from './admission/content-check';
import { ReferenceCheck } from './admission/reference-check';
import { Refusals } from './admission/refusals';
import { SenderCheck } from './admission/sender-check';
import { SignatureCheck } from './admission/signature-check';
import { RoomsRepository } from '../rooms/rooms.repository';
import { AcksRepository } from './persistence/acks.repository';
import { AlertVersionsRepository } from './persistence/alert-versions.repository';
import { AlertsRepository } from './persistence/alerts.repository';
import { DeliveriesRepository } from './persistence/deliveries.repository';
import { IdempotencyKeysRepository } from './persistence/idempotency-keys.repository';
import { RejectionsRepository } from './persistence/rejections.repository';
import { SubmissionWriter } from './persistence/submission-writer';
import { AcknowledgeAlert } from './use-cases/acknowledge-alert';
import { AlertReads } from './use-cases/alert-reads';
import { AppendVersion } from './use-cases/append-version';
import { ForwardAlert } from './use-cases/forward-alert';
import { SubmitAlert } from './use-cases/submit-alert';
import { SubmitBatch } from './use-cases/submit-batch';

const REPOSITORIES = [
  AlertsRepository,
  AlertVersionsRepository,
  IdempotencyKeysRepository,
  SubmissionWriter,
  DeliveriesRepository,
  AcksRepository,
  RejectionsRepository,
  // read by admission: alerts addressed to operation rooms
  RoomsRepository,
];
const ADMISSION = [ContentCheck, ReferenceCheck, SignatureCheck, SenderCheck, Refusals];
const USE_CASES = [SubmitAlert, SubmitBatch, AppendVersion, ForwardAlert, AcknowledgeAlert, AlertReads];

@Module({
  imports: [SigningModule],
  controllers: [AlertsController],
  providers: [...REPOSITORIES, ...ADMISSION, ...USE_CASES, ReferenceSnapshot, InterchangeService, IdentifierIndex],
  exports: [InterchangeService, IdentifierIndex],
})
export class AlertsModule {}
