'use strict';
/** Starting, watching and stopping the three built apps as real processes (used by npm start and the tests). */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const APPS = ['agency-gateway', 'coordination-node', 'audit-log'];
const PORT_VARIABLE = { 'agency-gateway': 'GATEWAY_PORT', 'coordination-node': 'COORDINATION_PORT', 'audit-log': 'AUDIT_PORT' };

function mainJs(app) {
  return path.join(ROOT, 'dist', 'apps', app, 'main.js');
}

/** Runs `main.js migrate` for every app, as the owner connection. */
function migrateAll(env) {
  for (const app of APPS) {
    const result = spawnSync(process.execPath, [mainJs(app), 'migrate'], { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${app} migrate failed:\n${result.stderr || result.stdout}`);
    process.stdout.write(`[migrate] ${result.stdout.trim().split('\n').filter((l) => l.includes('migration')).pop() || app + ': up to date'}\n`);
  }
}

/** Starts one app; its JSON logs go to logDir/<app>.log. Returns a handle with stop(). */
/**
 * V8's old-space cap for each service, in MB. Without it V8 lets the heap grow with the allocation rate (the
 * benchmark measured 300-350 MB RSS per service under load, ~145 MB idle); with it V8 collects sooner, and the
 * services stayed under 210 MB at the same throughput. See docs/decisions/004-service-memory.md.
 */
const SERVICE_HEAP_MB = Number(process.env.HUB_SERVICE_HEAP_MB || 160);

function startService(app, env, logDir) {
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${app}.log`);
  const out = fs.openSync(logFile, 'a');
  // The Kafka admin's password is for `migrate` (and scripts); a serving app has only its own principal's.
  const { KAFKA_ADMIN_PASSWORD: _admin, ...serviceEnv } = env;
  const child = spawn(process.execPath, ['--enable-source-maps', `--max-old-space-size=${SERVICE_HEAP_MB}`, mainJs(app)], { env: serviceEnv, stdio: ['ignore', out, out] });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    app,
    child,
    logFile,
    exited,
    port: Number(env[PORT_VARIABLE[app]]),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves when GET /health answers 200; rejects early if the process dies. */
async function waitHealthy(handle, timeoutMs = 90000) {
  const deadline = Date.now() + timeoutMs;
  let died = false;
  handle.exited.then(() => { died = true; });
  while (Date.now() < deadline) {
    if (died) throw new Error(`${handle.app} exited during start-up; last log lines:\n${tail(handle.logFile)}`);
    try {
      const response = await fetch(`http://127.0.0.1:${handle.port}/health`);
      if (response.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${handle.app} was not healthy within ${timeoutMs} ms; last log lines:\n${tail(handle.logFile)}`);
}

function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Waits until the process is gone, SIGKILLs it after timeoutMs. The one way scripts and tests stop a pid. */
async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

module.exports = { APPS, PORT_VARIABLE, mainJs, migrateAll, startService, waitHealthy, waitForExit, tail };
