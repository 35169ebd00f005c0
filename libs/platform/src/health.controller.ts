import { Controller, Get, Logger, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute } from './public.decorator';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type { Response } from 'express';
import { KafkaHealthIndicator } from '@hub/kafka/kafka.health';
import { publicHealth } from './public-health';

/**
 * GET /health: 200 when this service's Kafka and PostgreSQL connections work and no consumer is stuck on a failing
 * message, 503 (saying which) otherwise. Also reports the dead-letter topic's size. It is public: error texts go to
 * the log, never into the answer (publicHealth).
 * For orchestrators: GET /health/live is 200 while the process answers HTTP at all (restart it when not), and
 * GET /health/ready is 200 while it can serve requests, i.e. PostgreSQL and Kafka answer (send it no traffic when
 * not). A stalled partition makes /health 503 but not /health/ready: the HTTP API still works, and a restart
 * would not unstick a message that keeps failing.
 */
@ApiExcludeController()
@PublicRoute()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
  ) {}

  @Get()
  check(@Res() response: Response): Promise<void> {
    return this.run(response, [...this.dependencies(), () => this.kafka.consumers('consumers')]);
  }

  @Get('live')
  live(@Res() response: Response): void {
    response.status(200).json({ status: 'ok' });
  }

  @Get('ready')
  ready(@Res() response: Response): Promise<void> {
    return this.run(response, this.dependencies());
  }

  private dependencies(): HealthIndicatorFunction[] {
    return [() => this.database.pingCheck('postgres', { timeout: 2000 }), () => this.kafka.check('kafka')];
  }

  private async run(response: Response, checks: HealthIndicatorFunction[]): Promise<void> {
    try {
      response.status(200).json(publicHealth(await this.health.check(checks)));
    } catch (error) {
      if (error instanceof ServiceUnavailableException) {
        const body = error.getResponse() as Partial<HealthCheckResult>;
        this.logger.warn({ health: body }, 'unhealthy');
        response.status(503).json(publicHealth(body));
        return;
      }
      throw error;
    }
  }
}
