import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Response } from 'express';
import { ErrorCode, HubError } from '@hub/platform/errors';
import { PublicRoute } from '@hub/platform/public.decorator';
import { metricsRegistry } from './registry';
import { OBSERVABILITY_OPTIONS, ObservabilityOptions } from './observability.options';

/**
 * GET /metrics: the Prometheus text exposition of this process. Not behind the API keys (a scraper is no agency):
 * open when METRICS_TOKEN is unset (npm start listens on loopback only), else it needs `Authorization: Bearer <token>`.
 */
@ApiExcludeController()
@PublicRoute()
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  private readonly tokenDigest: Buffer | null;

  constructor(@Inject(OBSERVABILITY_OPTIONS) options: ObservabilityOptions) {
    this.tokenDigest = options.metricsToken ? digest(options.metricsToken) : null;
  }

  @Get()
  async metrics(@Headers('authorization') authorization: string | undefined, @Res() response: Response): Promise<void> {
    if (this.tokenDigest && !this.authorised(authorization)) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new HubError(ErrorCode.Unauthorized, 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>', [
        { path: 'authorization', message: 'missing or wrong metrics token' },
      ]);
    }
    const body = await metricsRegistry.metrics();
    // end(), not send(): Express would rewrite the content type's parameters.
    response.status(200).setHeader('Content-Type', metricsRegistry.contentType);
    response.end(body);
  }

  private authorised(authorization: string | undefined): boolean {
    const match = /^Bearer (.+)$/i.exec(authorization ?? '');
    // Digests of equal length, so the comparison takes the same time whatever was sent.
    return match !== null && timingSafeEqual(digest(match[1].trim()), this.tokenDigest!);
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
