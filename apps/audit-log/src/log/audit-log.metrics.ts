import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { metricsRegistry, scrapeProbe } from '@hub/observability/registry';

/** The audit log's own metrics: what its write side counts in memory (see AuditLogReadings for the rest). */
export const auditLogMetrics = {
  entriesAppended: new Counter({
    name: 'hub_audit_entries_appended_total',
    help: 'Entries appended to the log by this process (committed), integrity alarms included',
    registers: [metricsRegistry],
  }),
  integrityAlarms: new Counter({
    name: 'hub_audit_integrity_alarms_total',
    help: 'Integrity alarms appended (an event refused for other content under a known eventId, or a false service claim)',
    labelNames: ['reason'],
    registers: [metricsRegistry],
  }),
  appendHalted: new Gauge({
    name: 'hub_audit_append_halted',
    help: 'One while appending is halted because the stored log fails its integrity check, else zero',
    registers: [metricsRegistry],
  }),
};
auditLogMetrics.appendHalted.set(0);

interface LogReading {
  treeSize: number;
  headAgeSeconds: number | null;
  checkpointAgeSeconds: number | null;
}

let read: (() => Promise<LogReading | null>) | null = null;

/** Sets the gauge from this scrape's reading (one statement shared by the three gauges), or leaves it empty. */
async function collectInto(gauge: Gauge, pick: (reading: LogReading) => number | null): Promise<void> {
  gauge.reset();
  const reading = read ? await read() : null;
  const value = reading ? pick(reading) : null;
  if (value !== null) gauge.set(value);
}

new Gauge({
  name: 'hub_audit_tree_size',
  help: 'Entries in the newest signed tree head (read on scrape)',
  registers: [metricsRegistry],
  collect() {
    return collectInto(this, (reading) => reading.treeSize);
  },
});

new Gauge({
  name: 'hub_audit_tree_head_age_seconds',
  help: 'Seconds since the newest tree head was signed, i.e. since the last append (read on scrape)',
  registers: [metricsRegistry],
  collect() {
    return collectInto(this, (reading) => reading.headAgeSeconds);
  },
});

new Gauge({
  name: 'hub_audit_checkpoint_age_seconds',
  help: 'Seconds since the last signed checkpoint was issued to an auditor; absent before the first (read on scrape)',
  registers: [metricsRegistry],
  collect() {
    return collectInto(this, (reading) => reading.checkpointAgeSeconds);
  },
});

/** The log's size and the age of its newest signatures, for /metrics: one indexed statement per scrape, none at rest. */
@Injectable()
export class AuditLogReadings {
  constructor(@InjectDataSource() dataSource: DataSource) {
    read = scrapeProbe('audit-log', async () => {
      const [row]: { treeSize: string | null; headSignedAt: string | null; checkpointAge: number | null }[] =
        await dataSource.query(
          `SELECT h.tree_size::text AS "treeSize", h.signed_at AS "headSignedAt",
                  (SELECT extract(epoch FROM now() - signed_at::timestamptz)::float8 FROM audit.checkpoints ORDER BY id DESC LIMIT 1)
                    AS "checkpointAge"
           FROM (SELECT 1) AS one
           LEFT JOIN LATERAL (SELECT tree_size, signed_at FROM audit.tree_heads ORDER BY tree_size DESC LIMIT 1) AS h ON true`,
        );
      const signedAt = row.headSignedAt === null ? NaN : Date.parse(row.headSignedAt);
      return {
        treeSize: Number(row.treeSize ?? 0),
        headAgeSeconds: Number.isNaN(signedAt) ? null : Math.max(0, (Date.now() - signedAt) / 1000),
        checkpointAgeSeconds: row.checkpointAge,
      };
    });
  }
}
