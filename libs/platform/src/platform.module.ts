import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { traceLogFields } from '@hub/observability/tracing';
import { HealthController } from './health.controller';

/** Polled by orchestrators and scrapers every few seconds: not worth a log line each. */
const QUIET_PATHS = /^\/(health(\/live|\/ready)?|metrics)(\?|$)/;

export interface PlatformOptions {
  serviceName: string;
  logLevel: string;
}

/** What every app has: structured JSON logs (pino, authorization headers redacted) and GET /health (+ /live, /ready). */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        LoggerModule.forRoot({
          pinoHttp: {
            name: options.serviceName,
            level: options.logLevel,
            autoLogging: { ignore: (req) => QUIET_PATHS.test(req.url ?? '') },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            customProps: () => ({ service: options.serviceName }),
            // trace_id and span_id on every line written inside a span (tracing on).
            mixin: traceLogFields,
          },
        }),
      ],
      controllers: [HealthController],
    };
  }
}
