/**
 * Loaded into the bench services with NODE_OPTIONS=--require by `npm run bench -- --compare …` (never outside the
 * bench), to run the same build with one thing switched off, without a switch in the services' code:
 *   BENCH_KAFKA_PLAINTEXT_BROKERS=host:port[,…]  every kafkajs client connects there without TLS (the bench broker's
 *                                                SASL_PLAINTEXT loopback listener): what TLS costs;
 *   BENCH_METRICS_OFF=1                          prom-client's recording calls do nothing: what collecting the
 *                                                metrics costs (scrapes are the bench's to make or not).
 * Tracing needs no preload: without OTEL_EXPORTER_OTLP_ENDPOINT the services do not trace at all.
 * Compiled to JavaScript by the bench (compile.ts).
 */
import { servicePackage } from './send-hooks';

interface KafkaConfig {
  brokers?: unknown;
  ssl?: unknown;
  [key: string]: unknown;
}
type KafkaClass = new (config: KafkaConfig) => object;
type Recorder = (...args: unknown[]) => unknown;
type MetricClass = { prototype: Record<string, Recorder | undefined> };

const plaintextBrokers = (process.env.BENCH_KAFKA_PLAINTEXT_BROKERS || '').split(',').filter(Boolean);
if (plaintextBrokers.length) {
  const kafkajs = servicePackage<{ Kafka: KafkaClass }>('kafkajs');
  const Original = kafkajs.Kafka;
  // The services read `Kafka` off the module when they construct a client (their own code and Nest's ServerKafka).
  kafkajs.Kafka = class PlaintextKafka extends Original {
    constructor(config: KafkaConfig) {
      super({ ...config, brokers: plaintextBrokers, ssl: undefined });
    }
  };
}

const RECORDERS = [
  'inc',
  'incWithExemplar',
  'incWithoutExemplar',
  'dec',
  'set',
  'observe',
  'observeWithExemplar',
  'observeWithoutExemplar',
];

if (process.env.BENCH_METRICS_OFF === '1') {
  const promClient = servicePackage<Record<string, MetricClass>>('prom-client');
  const nothing: Recorder = () => undefined;
  // startTimer returns the function that records: it must still be callable.
  const timer: Recorder = () => nothing;
  for (const name of ['Counter', 'Gauge', 'Histogram', 'Summary']) {
    const prototype = promClient[name]?.prototype;
    if (!prototype) continue;
    // Counter and Histogram pick their recorder (with or without exemplars) off the prototype in their constructors.
    for (const method of RECORDERS) if (prototype[method]) prototype[method] = nothing;
    if (prototype.startTimer) prototype.startTimer = timer;
  }
}
