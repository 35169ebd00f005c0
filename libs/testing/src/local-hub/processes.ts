import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { APPS, AppName, mainJs, PORT_VARIABLE } from './apps';

/** Starting, watching and stopping the built apps as real processes (npm start, the tests, bench and chaos). */

/** Runs `main.js migrate` for every app, as the owner connection. */
export function migrateAll(env: NodeJS.ProcessEnv): void {
  for (const app of APPS) {
    const result = spawnSync(process.execPath, [mainJs(app), 'migrate'], { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${app} migrate failed:\n${result.stderr || result.stdout}`);
    const last = result.stdout
      .trim()
      .split('\n')
      .filter((l) => l.includes('migration'))
      .pop();
    process.stdout.write(`[migrate] ${last || `${app}: up to date`}\n`);
  }
}

/**
 * V8's old-space cap for each service, in MB. Without it V8 lets the heap grow with the allocation rate (the
 * benchmark measured 300-350 MB RSS per service under load, ~145 MB idle); with it V8 collects sooner, and the
 * services stayed under 210 MB at the same throughput. See docs/decisions/004-service-memory.md.
 */
export const SERVICE_HEAP_MB = Number(process.env.HUB_SERVICE_HEAP_MB || 160);

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One running app process. */
export interface ServiceHandle {
  app: AppName;
  child: ChildProcess;
  logFile: string;
  exited: Promise<ProcessExit>;
  port: number;
  /** http://127.0.0.1:<port>, or https:// when the app was given HTTPS_CERT_FILE (it then speaks HTTPS only). */
  url: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts one app; its JSON logs go to logDir/<app>.log. */
export function startService(app: AppName, env: NodeJS.ProcessEnv, logDir: string): ServiceHandle {
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${app}.log`);
  const out = fs.openSync(logFile, 'a');
  // The Kafka admin's password is for `migrate` (and tools); a serving app has only its own principal's.
  const { KAFKA_ADMIN_PASSWORD: _admin, ...serviceEnv } = env;
  const child = spawn(
    process.execPath,
    ['--enable-source-maps', `--max-old-space-size=${SERVICE_HEAP_MB}`, mainJs(app)],
    {
      env: serviceEnv,
      stdio: ['ignore', out, out],
    },
  );
  fs.closeSync(out);
  const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    app,
    child,
    logFile,
    exited,
    port: Number(env[PORT_VARIABLE[app]]),
    url: `${env.HTTPS_CERT_FILE ? 'https' : 'http'}://127.0.0.1:${Number(env[PORT_VARIABLE[app]])}`,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Resolves when GET /health answers 200; rejects early if the process dies. An HTTPS app is checked against `ca` (a
 * PEM), else against Node's default trust (which NODE_EXTRA_CA_CERTS extends).
 */
export async function waitHealthy(
  handle: ServiceHandle,
  timeoutMs = 90000,
  { ca }: { ca?: string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let died = false;
  let lastError = '';
  void handle.exited.then(() => {
    died = true;
  });
  while (Date.now() < deadline) {
    if (died) throw new Error(`${handle.app} exited during start-up; last log lines:\n${tail(handle.logFile)}`);
    try {
      if ((await statusOf(`${handle.url}/health`, ca)) === 200) return;
    } catch (error) {
      // Not listening yet, or (HTTPS) a certificate the probe does not trust: said in the timeout's message.
      lastError = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    }
    await sleep(300);
  }
  throw new Error(
    `${handle.app} was not healthy within ${timeoutMs} ms${lastError ? ` (last error: ${lastError})` : ''}; last log lines:\n${tail(handle.logFile)}`,
  );
}

/** The status of a GET: fetch for http, node:https for https (fetch takes no CA of its own). */
async function statusOf(url: string, ca?: string): Promise<number> {
  if (url.startsWith('http:')) return (await fetch(url)).status;
  return new Promise<number>((resolve, reject) => {
    const request = https.get(url, { ...(ca ? { ca } : {}), timeout: 5000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.once('timeout', () => request.destroy(new Error('timeout')));
    request.once('error', reject);
  });
}

export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Waits until the process is gone, SIGKILLs it after timeoutMs. The one way tools and tests stop a pid. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/** Whether something accepts TCP connections on the port. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
