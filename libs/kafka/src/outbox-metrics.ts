import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { metricsRegistry, scrapeProbe } from '@hub/observability/registry';
import { KAFKA_OPTIONS, KafkaModuleOptions } from './kafka.options';

interface OutboxReading {
  pending: number;
  oldestAgeSeconds: number;
}

/** One reading per outbox schema this process owns (one in a service; several only in tests). */
const readings = new Map<string, () => Promise<OutboxReading | null>>();

/** Sets `gauge` per schema from the readings of this scrape (shared by both gauges: one statement per schema). */
async function collectInto(gauge: Gauge<'schema'>, pick: (reading: OutboxReading) => number): Promise<void> {
  gauge.reset();
  await Promise.all(
    [...readings].map(async ([schema, read]) => {
      const reading = await read();
      if (reading) gauge.set({ schema }, pick(reading));
    }),
  );
}

new Gauge({
  name: 'hub_outbox_pending_rows',
  help: 'Outbox rows not yet published to Kafka, by schema (read on scrape)',
  labelNames: ['schema'],
  registers: [metricsRegistry],
  collect() {
    return collectInto(this, (reading) => reading.pending);
  },
});

new Gauge({
  name: 'hub_outbox_oldest_row_age_seconds',
  help: 'Age of the oldest outbox row not yet published, by schema; 0 when there is none (read on scrape)',
  labelNames: ['schema'],
  registers: [metricsRegistry],
  collect() {
    return collectInto(this, (reading) => reading.oldestAgeSeconds);
  },
});

/**
 * The outbox's backlog for /metrics: one statement per scrape, none between scrapes (the outbox relay itself stops
 * asking the database when idle, and so does this). The table is kept short (rows are deleted once published), so
 * the count is cheap.
 */
@Injectable()
export class OutboxMetrics implements OnModuleDestroy {
  private readonly schema: string;

  constructor(@InjectDataSource() dataSource: DataSource, @Inject(KAFKA_OPTIONS) options: KafkaModuleOptions) {
    this.schema = options.outboxSchema;
    readings.set(
      this.schema,
      scrapeProbe(`outbox:${this.schema}`, async () => {
        const [row]: { pending: number; oldest: number }[] = await dataSource.query(
          `SELECT count(*)::int AS pending,
                  coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest
           FROM "${this.schema}".outbox`,
        );
        return { pending: row.pending, oldestAgeSeconds: row.oldest };
      }),
    );
  }

  onModuleDestroy(): void {
    readings.delete(this.schema);
  }
}
