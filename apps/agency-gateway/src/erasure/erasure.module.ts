import { Module } from '@nestjs/common';
import { CommitmentDisclosure } from './commitment-disclosure';
import { CommitmentController, ErasureController, RejectionCommitmentController } from './erasure.controller';
import { ErasureService } from './erasure.service';
import { RetentionJob } from './retention.job';

/** Retention and erasure of alert content (docs/decisions/008-retention-and-erasure.md). */
@Module({
  controllers: [ErasureController, CommitmentController, RejectionCommitmentController],
  providers: [ErasureService, RetentionJob, CommitmentDisclosure],
})
export class ErasureModule {}
