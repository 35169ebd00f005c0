import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '@hub/testing/local-hub';

export const CHAOS_DIR = path.join(ROOT, '.hub', 'chaos');
export const DATABASE = 'hub_chaos';
export const DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${DATABASE}`;
/** How long the in-flight deliveries of a fault, and every delivery at the end, may take to arrive. */
export const DRAIN_LIMIT_MS = 180_000;

const started = Date.now();
export function log(line: string): void {
  process.stdout.write(`[chaos ${Math.round((Date.now() - started) / 1000)}s] ${line}\n`);
}

/** Seconds since the run started. */
export const elapsedSeconds = () => Math.round((Date.now() - started) / 1000);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds (true) or the time is up (false); a check that throws counts as not yet. */
export async function until(
  check: () => Promise<boolean> | boolean,
  { timeoutMs = 60_000, intervalMs = 500 } = {},
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return true;
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}

/** A process's resident set in MB (0 once it is gone). */
export function rssMb(pid: number | undefined): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}
