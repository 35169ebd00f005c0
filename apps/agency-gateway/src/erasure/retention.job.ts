import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicJob } from '@hub/platform/periodic-job';
import { GatewayConfig } from '../gateway.config';
import { ErasureService, RETENTION_BATCH_MAX } from './erasure.service';

/**
 * Every RETENTION_SWEEP_SECONDS, erases the alerts (and rejection problems) whose retention has ended (ErasureService.sweepExpired), in
 * batches until none is left. Replicas may run it at once: each batch locks its rows (SKIP LOCKED). A failure (the
 * database or the broker away) is logged and retried at the next tick; nothing is lost, the alerts stay due.
 */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly job = new PeriodicJob(RetentionJob.name, 'retention run', async () => {
    for (;;) {
      const swept = await this.erasure.sweepExpired();
      // a full batch: more may be due
      if (swept.alertIds.length < RETENTION_BATCH_MAX && swept.rejections.length < RETENTION_BATCH_MAX) break;
    }
  });

  constructor(
    private readonly erasure: ErasureService,
    private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.job.start(this.config.RETENTION_SWEEP_SECONDS * 1000);
  }

  onApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }
}
