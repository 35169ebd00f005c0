import { DynamicModule, Module, OnApplicationShutdown } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { OBSERVABILITY_OPTIONS, ObservabilityOptions } from './observability.options';
import { collectProcessMetrics, metricsRegistry } from './registry';
import { tracing } from './tracing';

/**
 * What each app imports to be observable: GET /metrics (Prometheus text, optionally behind METRICS_TOKEN), with the
 * process and Node.js metrics and every hub_* metric the app's code updates, each series labelled with the service.
 * Request timing is an Express middleware (observeHttpRequests) that bootstrapHybridApp installs before any route.
 */
@Module({})
export class ObservabilityModule implements OnApplicationShutdown {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    metricsRegistry.setDefaultLabels({ service: options.service });
    collectProcessMetrics();
    return {
      module: ObservabilityModule,
      providers: [{ provide: OBSERVABILITY_OPTIONS, useValue: options }],
      controllers: [MetricsController],
    };
  }

  /** Spans still batched are exported before the process ends (tracing on; bounded, see startTracing). */
  async onApplicationShutdown(): Promise<void> {
    await tracing.shutdown();
  }
}
