import fs from 'node:fs';
import { AppName, mainJs, PORT_VARIABLE } from './apps';
import { ServiceHandle, startService, waitForExit, waitHealthy } from './processes';

/**
 * Keeps a service running (npm start, the chaos run, the supervision test): when it exits without being asked to,
 * it is started again after a backoff, and the exit and the restart are reported. A crash-looping service is
 * retried ever more slowly (1 s doubling to 30 s) instead of stopping the hub, and a service that stayed up for a
 * minute gets the short backoff again.
 */
export interface BackoffSettings {
  minBackoffMs: number;
  maxBackoffMs: number;
}

export interface SupervisionOptions extends Partial<BackoffSettings> {
  /** How long a service must have run for its next crash to count as the first again. */
  stableMs?: number;
  /** Hears every exit and restart. */
  report?: (line: string) => void;
  /** Hears every (re)start, e.g. to keep a pid file. */
  onStart?: (pid: number) => void;
}

/** A service kept running by the supervisor. */
export interface SupervisedService {
  readonly app: AppName;
  readonly port: number;
  readonly pid: number;
  readonly restarts: number;
  readonly handle: ServiceHandle;
  /** The first start: resolves once healthy, rejects if that first process dies or never gets healthy. */
  ready: Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const DEFAULTS = { minBackoffMs: 1000, maxBackoffMs: 30000, stableMs: 60000 };

/** The wait before the next start: doubles per consecutive crash, from minBackoffMs up to maxBackoffMs. */
export function restartBackoff(
  consecutiveCrashes: number,
  { minBackoffMs = DEFAULTS.minBackoffMs, maxBackoffMs = DEFAULTS.maxBackoffMs }: Partial<BackoffSettings> = {},
): number {
  const exponent = Math.max(0, Math.min(consecutiveCrashes - 1, 30));
  return Math.min(maxBackoffMs, minBackoffMs * 2 ** exponent);
}

/** Starts `app` and restarts it whenever it exits unasked. */
export function superviseService(
  app: AppName,
  env: NodeJS.ProcessEnv,
  logDir: string,
  options: SupervisionOptions = {},
): SupervisedService {
  const settings = { ...DEFAULTS, ...options };
  const report = options.report ?? ((line: string) => process.stderr.write(`[supervisor] ${line}\n`));
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let consecutiveCrashes = 0;
  let restarts = 0;
  let handle!: ServiceHandle;

  const launch = (): ServiceHandle => {
    const startedAt = Date.now();
    const current = startService(app, env, logDir);
    handle = current;
    options.onStart?.(current.child.pid as number);
    void current.exited.then(({ code, signal }) => {
      if (stopped || current !== handle) return;
      // A service that ran for a while crashed for a new reason: start it again quickly.
      if (Date.now() - startedAt >= settings.stableMs) consecutiveCrashes = 0;
      consecutiveCrashes += 1;
      const wait = restartBackoff(consecutiveCrashes, settings);
      report(
        `${app} (pid ${current.child.pid}) exited (code ${code}, signal ${signal}); restarting in ${Math.round(wait / 100) / 10} s ` +
          `(crash ${consecutiveCrashes} in a row; log ${current.logFile})`,
      );
      timer = setTimeout(() => {
        timer = null;
        if (stopped) return;
        restarts += 1;
        const next = launch();
        report(`${app} restarted (pid ${next.child.pid}, restart ${restarts})`);
        waitHealthy(next).then(
          () => !stopped && report(`${app} (pid ${next.child.pid}) healthy again`),
          () => undefined, // its exit, if it died again, is reported above
        );
      }, wait);
    });
    return current;
  };

  const first = launch();
  return {
    app,
    port: Number(env[PORT_VARIABLE[app]]),
    get restarts() {
      return restarts;
    },
    get pid() {
      return handle.child.pid as number;
    },
    get handle() {
      return handle;
    },
    ready: waitHealthy(first),
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      stopped = true;
      if (timer) clearTimeout(timer);
      await handle.stop(signal);
    },
  };
}

/**
 * Stops what a hard-stopped earlier run left behind: each pid file in `pidDir` names a service process; if that
 * process still runs the same service of this working copy (checked on its command line, so a recycled pid or
 * another copy's service is never touched), it is terminated. Returns the names of the services it stopped.
 */
export async function stopStaleServices(pidDir: string, apps: readonly AppName[]): Promise<string[]> {
  const stale: string[] = [];
  for (const app of apps) {
    const file = `${pidDir}/${app}.pid`;
    let pid: number;
    try {
      pid = Number(fs.readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (commandLine(pid).includes(mainJs(app))) {
      process.kill(pid, 'SIGTERM');
      await waitForExit(pid, 15000);
      stale.push(`${app} (pid ${pid})`);
    }
    fs.rmSync(file, { force: true });
  }
  return stale;
}

/** The command line of a running process ('' when it is gone). */
export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}
