/**
 * npm run chaos [-- --hold 15 --clients 6 --faults broker,database --repeat 1 --log-level warn --keep]
 *
 * The hub in its production shape, on this machine and on loopback only: a 3-node KRaft cluster (29192-29194,
 * replication factor 3, min.insync.replicas 2), a fresh database hub_chaos, two replicas of every service
 * (23100-23105), and a steady mixed load (restricted, RED and regional alerts, updates, cancels, acks, an inbox
 * stream per agency, clients that retry with the same Idempotency-Key on another gateway replica). One fault at a
 * time, held `--hold` seconds, then healed: kill -9 of each service replica, kill -9 of a partition leader broker,
 * a broker frozen with SIGSTOP, the database refusing and dropping the hub's connections, a poison message on each
 * exchange topic. Then the invariants (exactly once per entitled recipient, nothing to anyone else, retries got the
 * original 202, every audit fact once, verify against a checkpoint saved before the first fault, poison messages
 * dead-lettered with their origin and their partitions moving on), figures per fault, chaos-results/<ts>.json.
 * Exit 1 when an invariant fails. Stops everything it started, also on Ctrl-C.
 *
 * The steps, each in tools/lib/chaos/: topology (the cluster, database, replicas, agencies), load, faults,
 * invariants, report.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaClientConfig, mainJs } from '@hub/testing/local-hub';
import { cleanupRegistry, CleanupRegistry } from './cleanup';
import { CHAOS_DIR, log, until } from './chaos/common';
import { defineFaults, Poison, runFaults, selectFaults } from './chaos/faults';
import { checkInvariants } from './chaos/invariants';
import { createLoad } from './chaos/load';
import { summarize, writeReport } from './chaos/report';
import { startTopology, Topology } from './chaos/topology';

const RUN_LIMIT_MS = Number(process.env.CHAOS_RUN_LIMIT_MS || 20 * 60 * 1000);

export interface ChaosOptions {
  hold: number;
  clients: number;
  keep: boolean;
  faults: string[];
  repeat: number;
  logLevel: string;
}

const USAGE =
  'npm run chaos -- [--hold 15] [--clients 6] [--faults broker,database] [--repeat 1] [--log-level debug] [--keep]';

/** The options of a run; undefined after printing the usage (--help). */
export function parseChaosOptions(argv: string[]): ChaosOptions | undefined {
  const options: ChaosOptions = { hold: 15, clients: 6, keep: false, faults: [], repeat: 1, logLevel: 'warn' };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value (${USAGE})`);
      return v;
    };
    const number = () => {
      const v = Number(value());
      if (!Number.isFinite(v) || v < 0) throw new Error(`${argv[i - 1]} needs a non-negative number`);
      return v;
    };
    if (argv[i] === '--hold') options.hold = number();
    else if (argv[i] === '--clients') options.clients = number();
    else if (argv[i] === '--keep') options.keep = true;
    else if (argv[i] === '--faults') options.faults = value().split(',').filter(Boolean);
    else if (argv[i] === '--repeat') options.repeat = number();
    else if (argv[i] === '--log-level') options.logLevel = value();
    else if (argv[i] === '--help' || argv[i] === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return undefined;
    } else throw new Error(`unknown option ${argv[i]} (${USAGE})`);
  }
  return options;
}

export async function runChaos(argv: string[]): Promise<void> {
  const options = parseChaosOptions(argv);
  if (!options) return;
  const cleanup = cleanupRegistry((line) => process.stderr.write(`[chaos] ${line}\n`));
  const onSignal = () => void cleanup.run().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const watchdog = setTimeout(() => {
    process.stderr.write('[chaos] run limit reached; stopping\n');
    onSignal();
  }, RUN_LIMIT_MS);
  watchdog.unref();
  let failed = false;
  try {
    failed = !(await chaos(options, cleanup));
  } finally {
    if (!options.keep) await cleanup.run();
    clearTimeout(watchdog);
  }
  if (failed) {
    process.stderr.write('[chaos] INVARIANTS FAILED (see above)\n');
    process.exit(1);
  }
}

/** `main.js verify` of the first audit-log replica, as the auditor, with the run's public key. */
function verifier(topology: Topology) {
  return (extra: string[]) =>
    spawnSync(
      process.execPath,
      [
        mainJs('audit-log'),
        'verify',
        '--url',
        topology.audits[0],
        '--key',
        topology.auditorKey,
        '--public-key',
        topology.publicKeyFile,
        ...extra,
      ],
      { encoding: 'utf8' },
    );
}

/** topology → load → checkpoint → faults → invariants → report; true when every invariant holds. */
async function chaos(options: ChaosOptions, cleanup: CleanupRegistry): Promise<boolean> {
  const topology = await startTopology(options.logLevel, cleanup);

  const load = createLoad({ gateways: topology.gateways, agencies: topology.agencies, clients: options.clients });
  cleanup.add('load', () => load.stop());
  await until(async () => load.ledger.alerts.size >= 40, { timeoutMs: 120_000 });
  log(`load under way: ${load.ledger.alerts.size} alerts accepted`);

  const checkpointFile = path.join(CHAOS_DIR, 'checkpoint.json');
  fs.rmSync(checkpointFile, { force: true });
  const verify = verifier(topology);
  const saved = verify(['--save-checkpoint', checkpointFile]);
  if (saved.status !== 0) throw new Error(`verify before the faults failed: ${saved.stdout}${saved.stderr}`);
  log(`checkpoint saved before the first fault: ${saved.stdout.trim().split('\n').pop()}`);

  const kafka = new Kafka({
    clientId: 'chaos',
    ...kafkaClientConfig(topology.cluster.brokers),
    logLevel: logLevel.NOTHING,
  });
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  cleanup.add('kafka admin', () => kafkaAdmin.disconnect());
  const producer = kafka.producer();
  await producer.connect();
  cleanup.add('kafka producer', () => producer.disconnect());

  const poisons: Poison[] = [];
  const selected = selectFaults(defineFaults(topology, kafkaAdmin, producer, poisons), options.faults, options.repeat);
  const results = await runFaults(selected, { load, topology, holdMs: options.hold * 1000 });

  log('faults done; stopping the load and waiting for every delivery');
  await load.stop();
  const failures = await checkInvariants({
    load,
    agencies: topology.agencies,
    gateways: topology.gateways,
    poisons,
    kafka,
    kafkaAdmin,
    verify,
    checkpointFile,
  });
  writeReport(summarize(load, results, failures, options));
  return failures.length === 0;
}
