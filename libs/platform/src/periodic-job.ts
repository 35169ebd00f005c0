import { Logger } from '@nestjs/common';

/**
 * A background job run every few seconds in a service (the retention sweeps): started at bootstrap, stopped at
 * shutdown. A run never overlaps the previous one (a tick while one runs is skipped), a failing run is logged and
 * the job goes on at the next tick, and the timer does not keep the process alive. stop() waits for a run under way,
 * so that the service's connections outlive it.
 */
export class PeriodicJob {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  /**
   * @param context the logger's context (the owning class's name)
   * @param what the job in a log line ("rooms sweep"): "<what> failed; retried at the next tick"
   * @param run one run; a rejection is logged, not thrown
   */
  constructor(
    context: string,
    private readonly what: string,
    private readonly run: () => Promise<void>,
  ) {
    this.logger = new Logger(context);
  }

  /** Runs the job every `intervalMs` from now on (the first run after one interval). */
  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  /** No run starts after this; resolves once a run under way has ended. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One run now, unless one is under way (then it resolves at once). Never rejects. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = (async () => {
      try {
        await this.run();
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, `${this.what} failed; retried at the next tick`);
      }
    })();
    await this.running;
    this.running = null;
  }
}
