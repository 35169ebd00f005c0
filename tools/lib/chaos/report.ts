import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '@hub/testing/local-hub';
import { elapsedSeconds, log } from './common';
import type { FaultResult } from './faults';
import type { Load } from './load';

const RESULTS_DIR = path.join(ROOT, 'chaos-results');

export interface ChaosSummary {
  at: string;
  commit: string;
  totalS: number;
  holdS: number;
  clients: number;
  alerts: number;
  versions: number;
  deliveries: number;
  acks: number;
  retriedTo202: number;
  streamReconnects: number;
  streamDuplicates: number;
  statuses: Record<string, number>;
  faults: FaultResult[];
  failures: string[];
}

/** The run's figures: what the load did, each fault's result, the failed invariants. */
export function summarize(
  load: Load,
  faults: FaultResult[],
  failures: string[],
  options: { hold: number; clients: number },
): ChaosSummary {
  const { ledger } = load;
  return {
    at: new Date().toISOString(),
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim(),
    totalS: elapsedSeconds(),
    holdS: options.hold,
    clients: options.clients,
    alerts: ledger.alerts.size,
    versions: [...ledger.alerts.values()].reduce((n, a) => n + a.versions.length, 0),
    deliveries: load.expected().length,
    acks: ledger.acks.length,
    retriedTo202: ledger.retriedTo202,
    streamReconnects: load.streams.reduce((n, s) => n + s.reconnects, 0),
    streamDuplicates: load.streams.reduce((n, s) => n + s.duplicates, 0),
    statuses: ledger.statuses.reduce<Record<string, number>>(
      (m, s) => ({ ...m, [s.status]: (m[s.status] || 0) + 1 }),
      {},
    ),
    faults,
    failures,
  };
}

/** chaos-results/<timestamp>.json and the table (RELIABILITY.md quotes both). */
export function writeReport(summary: ChaosSummary): void {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${summary.at.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(summary, null, 2));
  printTable(summary);
  log(`results in ${path.relative(ROOT, file)}`);
}

function printTable(summary: ChaosSummary): void {
  const rss = (f: FaultResult) =>
    `${f.peakRssMb['agency-gateway'] || 0} / ${f.peakRssMb['coordination-node'] || 0} / ${f.peakRssMb['audit-log'] || 0}`;
  const lines = [
    '',
    `chaos run ${summary.at} on ${summary.commit}: ${summary.totalS} s, ${summary.alerts} alerts, ${summary.versions} versions, ${summary.deliveries} deliveries, ${summary.acks} acks, ${summary.clients} clients`,
    '| fault | held s | accepting again s | in flight | in-flight delivered s | 5xx | no answer | peak RSS MB (gw / node / audit) |',
    '|---|---|---|---|---|---|---|---|',
    ...summary.faults.map(
      (f) =>
        `| ${f.fault}${f.detail ? ` (${f.detail})` : ''} | ${f.heldS} | ${f.acceptAgainS ?? '—'} | ${f.inFlightAtFault} | ${f.deliveredAgainS ?? 'not within 180'} | ${f.fiveXx} | ${f.noAnswer} | ${rss(f)} |`,
    ),
    '',
    `statuses: ${JSON.stringify(summary.statuses)}; retries that ended in a 202: ${summary.retriedTo202}; stream reconnects ${summary.streamReconnects}, duplicates on streams ${summary.streamDuplicates}`,
    summary.failures.length ? `INVARIANTS FAILED:\n  ${summary.failures.join('\n  ')}` : 'all invariants hold',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}
