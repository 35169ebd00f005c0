'use strict';
/**
 * The three services under test, as real processes started from dist/. Their pids are kept in files so that
 * any test (each runs in its own module registry) can restart one, and teardown can stop whatever runs.
 */
const fs = require('node:fs');
const path = require('node:path');
const { APPS, PORT_VARIABLE, startService, waitForExit, waitHealthy } = require('../scripts/lib/services');
const { portOpen } = require('../scripts/lib/kafka');
const { superviseService } = require('../scripts/lib/supervisor');

const ROOT = path.resolve(__dirname, '..');
const PID_DIR = path.join(ROOT, '.hub', 'test-pids');
const LOG_DIR = path.join(ROOT, '.hub', 'test-logs');

async function startTestService(app) {
  const handle = startService(app, { ...process.env, LOG_LEVEL: process.env.TEST_LOG_LEVEL || 'info' }, LOG_DIR);
  fs.mkdirSync(PID_DIR, { recursive: true });
  fs.writeFileSync(path.join(PID_DIR, `${app}.pid`), String(handle.child.pid));
  handle.child.unref();
  await waitHealthy(handle);
  return handle;
}

/**
 * The service under npm start's supervisor (fast backoff), in place of the plain test process. Its pid file follows
 * every restart, so teardown stops whatever runs; the caller must stop() it, or teardown's kill would be restarted.
 */
function superviseTestService(app, report) {
  const env = { ...process.env, LOG_LEVEL: process.env.TEST_LOG_LEVEL || 'info' };
  fs.mkdirSync(PID_DIR, { recursive: true });
  return superviseService(app, env, LOG_DIR, {
    minBackoffMs: 200,
    maxBackoffMs: 2000,
    report,
    onStart: (pid) => fs.writeFileSync(path.join(PID_DIR, `${app}.pid`), String(pid)),
  });
}

async function stopTestService(app, signal = 'SIGTERM') {
  const file = path.join(PID_DIR, `${app}.pid`);
  if (!fs.existsSync(file)) return;
  const pid = Number(fs.readFileSync(file, 'utf8'));
  fs.rmSync(file, { force: true });
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  await waitForExit(pid, 20000);
}

async function restartTestService(app, signal = 'SIGTERM') {
  await stopTestService(app, signal);
  await startTestService(app);
}

async function startTestServices() {
  fs.rmSync(LOG_DIR, { recursive: true, force: true });
  // A service of an earlier run that was never stopped would answer in place of the one under test.
  for (const app of APPS) {
    const port = Number(process.env[PORT_VARIABLE[app]]);
    if (await portOpen(port)) throw new Error(`port ${port} (${app}) is already taken by another process: stop it first`);
  }
  await Promise.all(APPS.map((app) => startTestService(app)));
}

async function stopTestServices() {
  await Promise.all(APPS.map((app) => stopTestService(app)));
}

module.exports = { superviseTestService, startTestService, stopTestService, restartTestService, startTestServices, stopTestServices, LOG_DIR };
