import { Controller, Get, Logger, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute } from './public.decorator';
import { HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { KafkaHealthIndicator } from '@hub/kafka/kafka.health';
import { publicHealth } from './public-health';

/**
 * GET /health: 200 when this service's Kafka and PostgreSQL connections work and no consumer is stuck on a failing
 * message, 503 (saying which) otherwise. Also reports the dead-letter topic's size. It is public: error texts go to
 * the log, never into the answer (publicHealth).
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
  async check(@Res() response: Response): Promise<void> {
    try {
      const result = await this.health.check([
        () => this.database.pingCheck('postgres', { timeout: 2000 }),
        () => this.kafka.check('kafka'),
        () => this.kafka.consumers('consumers'),
      ]);
      response.status(200).json(publicHealth(result));
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
