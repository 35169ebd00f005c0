'use strict';
/**
 * Keeps a service running (npm start, the chaos run, the supervision test): when it exits without being asked to,
 * it is started again after a backoff, and the exit and the restart are reported. A crash-looping service is
 * retried ever more slowly (1 s doubling to 30 s) instead of stopping the hub, and a service that stayed up for a
 * minute gets the short backoff again. Plain JS: npm start runs it before anything is compiled.
 */
const fs = require('node:fs');
const { PORT_VARIABLE, mainJs, startService, waitForExit, waitHealthy } = require('./services');

const DEFAULTS = { minBackoffMs: 1000, maxBackoffMs: 30000, stableMs: 60000 };

/** The wait before the next start: doubles per consecutive crash, from minBackoffMs up to maxBackoffMs. */
function restartBackoff(consecutiveCrashes, { minBackoffMs = DEFAULTS.minBackoffMs, maxBackoffMs = DEFAULTS.maxBackoffMs } = {}) {
  const exponent = Math.max(0, Math.min(consecutiveCrashes - 1, 30));
  return Math.min(maxBackoffMs, minBackoffMs * 2 ** exponent);
}

/**
 * Starts `app` and restarts it whenever it exits unasked. Returns
 *   { app, port, pid, restarts, ready (first healthy start), stop(signal) }.
 * `report(line)` hears every exit and restart; `onStart(pid)` every (re)start (e.g. to keep a pid file).
 */
function superviseService(app, env, logDir, options = {}) {
  const settings = { ...DEFAULTS, ...options };
  const report = options.report || ((line) => process.stderr.write(`[supervisor] ${line}\n`));
  let handle = null;
  let stopped = false;
  let timer = null;
  let consecutiveCrashes = 0;
  let restarts = 0;

  function launch() {
    const startedAt = Date.now();
    handle = startService(app, env, logDir);
    if (options.onStart) options.onStart(handle.child.pid);
    const current = handle;
    current.exited.then(({ code, signal }) => {
      if (stopped || current !== handle) return;
      // A service that ran for a while crashed for a new reason: start it again quickly.
      if (Date.now() - startedAt >= settings.stableMs) consecutiveCrashes = 0;
      consecutiveCrashes += 1;
      const wait = restartBackoff(consecutiveCrashes, settings);
      report(`${app} (pid ${current.child.pid}) exited (code ${code}, signal ${signal}); restarting in ${Math.round(wait / 100) / 10} s (crash ${consecutiveCrashes} in a row; log ${current.logFile})`);
      timer = setTimeout(() => {
        timer = null;
        if (stopped) return;
        restarts += 1;
        launch();
        report(`${app} restarted (pid ${handle.child.pid}, restart ${restarts})`);
        waitHealthy(handle).then(
          () => !stopped && report(`${app} (pid ${handle.child.pid}) healthy again`),
          () => undefined, // its exit, if it died again, is reported above
        );
      }, wait);
    });
    return current;
  }

  const first = launch();
  return {
    app,
    port: Number(env[PORT_VARIABLE[app]]),
    get restarts() {
      return restarts;
    },
    get pid() {
      return handle.child.pid;
    },
    get handle() {
      return handle;
    },
    /** The first start: resolves once healthy, rejects if that first process dies or never gets healthy. */
    ready: waitHealthy(first),
    async stop(signal = 'SIGTERM') {
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
async function stopStaleServices(pidDir, apps) {
  const stale = [];
  for (const app of apps) {
    const file = `${pidDir}/${app}.pid`;
    let pid;
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

function commandLine(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

module.exports = { superviseService, restartBackoff, stopStaleServices, commandLine };
