import fs from 'node:fs';
import path from 'node:path';
import { APPS, AppName, PORT_VARIABLE, ROOT } from './apps';
import { portOpen, ServiceHandle, startService, waitForExit, waitHealthy } from './processes';
import { superviseService, SupervisedService } from './supervisor';

/**
 * The three services under test, as real processes started from dist/. Their pids are kept in files so that
 * any test (each runs in its own module registry) can restart one, and teardown can stop whatever runs.
 */
const PID_DIR = path.join(ROOT, '.hub', 'test-pids');
export const TEST_LOG_DIR = path.join(ROOT, '.hub', 'test-logs');

const serviceEnvironment = (): NodeJS.ProcessEnv => ({
  ...process.env,
  LOG_LEVEL: process.env.TEST_LOG_LEVEL || 'info',
});
const pidFile = (app: AppName) => path.join(PID_DIR, `${app}.pid`);

export async function startTestService(app: AppName): Promise<ServiceHandle> {
  const handle = startService(app, serviceEnvironment(), TEST_LOG_DIR);
  fs.mkdirSync(PID_DIR, { recursive: true });
  fs.writeFileSync(pidFile(app), String(handle.child.pid));
  handle.child.unref();
  await waitHealthy(handle);
  return handle;
}

/**
 * One more process of `app` beside the suite's, with its own settings (another port, HTTPS, …) and its log in
 * TEST_LOG_DIR/<logName>.log. It joins the app's consumer group like a replica. The caller stops it (handle.stop()).
 */
export async function startExtraTestService(
  app: AppName,
  logName: string,
  overrides: NodeJS.ProcessEnv,
  probe: { ca?: string } = {},
): Promise<ServiceHandle> {
  const logDir = path.join(TEST_LOG_DIR, logName);
  const handle = startService(app, { ...serviceEnvironment(), ...overrides }, logDir);
  try {
    await waitHealthy(handle, 90000, probe);
  } catch (error) {
    await handle.stop();
    throw error;
  }
  return handle;
}

/**
 * The service under npm start's supervisor (fast backoff), in place of the plain test process. Its pid file follows
 * every restart, so teardown stops whatever runs; the caller must stop() it, or teardown's kill would be restarted.
 */
export function superviseTestService(app: AppName, report: (line: string) => void): SupervisedService {
  fs.mkdirSync(PID_DIR, { recursive: true });
  return superviseService(app, serviceEnvironment(), TEST_LOG_DIR, {
    minBackoffMs: 200,
    maxBackoffMs: 2000,
    report,
    onStart: (pid) => fs.writeFileSync(pidFile(app), String(pid)),
  });
}

export async function stopTestService(app: AppName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const file = pidFile(app);
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

export async function restartTestService(app: AppName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  await stopTestService(app, signal);
  await startTestService(app);
}

export async function startTestServices(): Promise<void> {
  fs.rmSync(TEST_LOG_DIR, { recursive: true, force: true });
  // A service of an earlier run that was never stopped would answer in place of the one under test.
  for (const app of APPS) {
    const port = Number(process.env[PORT_VARIABLE[app]]);
    if (await portOpen(port))
      throw new Error(`port ${port} (${app}) is already taken by another process: stop it first`);
  }
  await Promise.all(APPS.map((app) => startTestService(app)));
}

export async function stopTestServices(): Promise<void> {
  await Promise.all(APPS.map((app) => stopTestService(app)));
}
