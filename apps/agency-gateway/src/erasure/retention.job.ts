import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { GatewayConfig } from '../gateway.config';
import { ErasureService, RETENTION_BATCH_MAX } from './erasure.service';

/**
 * Every RETENTION_SWEEP_SECONDS, erases the alerts (and rejection problems) whose retention has ended (ErasureService.sweepExpired), in
 * batches until none is left. Replicas may run it at once: each batch locks its rows (SKIP LOCKED). A failure (the
 * database or the broker away) is logged and retried at the next tick; nothing is lost, the alerts stay due.
 */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionJob.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly erasure: ErasureService,
    private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.RETENTION_SWEEP_SECONDS * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = (async () => {
      try {
        for (;;) {
          const swept = await this.erasure.sweepExpired();
          // a full batch: more may be due
          if (swept.alertIds.length < RETENTION_BATCH_MAX && swept.rejections.length < RETENTION_BATCH_MAX) break;
        }
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, 'retention run failed; retried at the next tick');
      }
    })();
    await this.running;
    this.running = null;
  }
}
