export * from './registry';
export * from './kafka-metrics';
export * from './http-metrics';
export * from './observability.options';
export * from './observability.module';
export * from './metrics.controller';
