import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from './registry';

/** Kafka consumers and producers of every hub service (libs/kafka updates them; in memory only). */
export const kafkaMetrics = {
  consumedBatchSize: new Histogram({
    name: 'hub_kafka_consumer_batch_size',
    help: 'Messages per batch handed to a batch handler, by consumer group, topic and partition',
    labelNames: ['group', 'topic', 'partition'],
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [metricsRegistry],
  }),
  consumedOffset: new Gauge({
    name: 'hub_kafka_consumer_offset',
    help: 'Offset of the last message this process handled, by consumer group, topic and partition',
    labelNames: ['group', 'topic', 'partition'],
    registers: [metricsRegistry],
  }),
  consumerLag: new Gauge({
    name: 'hub_kafka_consumer_lag',
    help: "Messages behind the partition's high watermark after the last handled batch (batch consumers)",
    labelNames: ['group', 'topic', 'partition'],
    registers: [metricsRegistry],
  }),
  lastConsumed: new Gauge({
    name: 'hub_kafka_consumer_last_consumed_timestamp_seconds',
    help: 'Unix time at which this process last handled a message of the partition',
    labelNames: ['group', 'topic', 'partition'],
    registers: [metricsRegistry],
  }),
  partitionStalled: new Gauge({
    name: 'hub_kafka_consumer_partition_stalled',
    help: 'One while the partition is waiting out a message that keeps failing (reported on /health), else zero',
    labelNames: ['group', 'topic', 'partition'],
    registers: [metricsRegistry],
  }),
  deadLettered: new Counter({
    name: 'hub_kafka_dead_lettered_total',
    help: 'Records this process put on the dead-letter topic, by the topic they came from (or were meant for)',
    labelNames: ['topic'],
    registers: [metricsRegistry],
  }),
  producerRequestDuration: new Histogram({
    name: 'hub_kafka_producer_request_duration_seconds',
    help: 'Produce requests (acks=all) from send to acknowledgement, by topic and result',
    labelNames: ['topic', 'result'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [metricsRegistry],
  }),
  producerErrors: new Counter({
    name: 'hub_kafka_producer_errors_total',
    help: 'Produce requests that failed (after kafkajs retries), by topic',
    labelNames: ['topic'],
    registers: [metricsRegistry],
  }),
};

/** The labels of one partition of one group. */
export function partitionLabels(group: string, topic: string, partition: number) {
  return { group, topic, partition: String(partition) };
}

/** Per consumer group, the partitions whose gauges this process has set ("topic\npartition"). */
const reportedPartitions = new Map<string, Set<string>>();

/** Notes that the partition's per-partition gauges were set here (so that forgetUnassigned can clear them). */
export function noteReportedPartition(group: string, topic: string, partition: number): void {
  let partitions = reportedPartitions.get(group);
  if (!partitions) reportedPartitions.set(group, (partitions = new Set()));
  partitions.add(`${topic}\n${partition}`);
}

/**
 * After a rebalance: drops the gauges of the group's partitions this process no longer holds, so that another
 * replica's partition does not keep a stale lag (and alert) here. Counters and histograms are kept (they only add up).
 */
export function forgetUnassigned(group: string, assignment: Readonly<Record<string, readonly number[]>>): void {
  const partitions = reportedPartitions.get(group);
  if (!partitions) return;
  for (const key of partitions) {
    const [topic, partition] = key.split('\n');
    if (assignment[topic]?.includes(Number(partition))) continue;
    const labels = { group, topic, partition };
    for (const gauge of [kafkaMetrics.consumedOffset, kafkaMetrics.consumerLag, kafkaMetrics.lastConsumed])
      gauge.remove(labels);
    partitions.delete(key);
  }
}
