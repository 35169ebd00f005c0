import path from 'node:path';
import { HUB_SERVICES, HubService } from '@hub/contracts/topics';

/**
 * The hub's apps as local processes: what `npm start`, `npm test`, the benchmark, the chaos run and the tests start
 * from dist/. One table, so that a new app or a moved port is changed here only.
 */
/** An app by name: the HubService values, written as the strings they are. */
export type AppName = `${HubService}`;
export const APPS: readonly AppName[] = HUB_SERVICES;

/** The environment variable that holds each app's HTTP port. */
export const PORT_VARIABLE: Readonly<Record<AppName, string>> = {
  [HubService.AgencyGateway]: 'GATEWAY_PORT',
  [HubService.CoordinationNode]: 'COORDINATION_PORT',
  [HubService.AuditLog]: 'AUDIT_PORT',
};

/** Each app's port offset from a base port (3000 under npm start, 13000 + slot * 100 under npm test). */
export const PORT_OFFSET: Readonly<Record<AppName, number>> = {
  [HubService.AgencyGateway]: 0,
  [HubService.CoordinationNode]: 1,
  [HubService.AuditLog]: 2,
};

/** The working copy's root (where package.json, dist/ and .hub/ are). */
export const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** The built app that `node` runs. */
export function mainJs(app: AppName): string {
  return path.join(ROOT, 'dist', 'apps', app, 'main.js');
}

/** GATEWAY_PORT, COORDINATION_PORT and AUDIT_PORT for apps listening on base, base+1, base+2. */
export function portEnvironment(base: number): Record<string, string> {
  return Object.fromEntries(APPS.map((app) => [PORT_VARIABLE[app], String(base + PORT_OFFSET[app])]));
}

/**
 * The hub the project's commands start (npm start, npm test, bench, chaos) serves plain HTTP on 127.0.0.1, and the
 * commands talk to it that way: HTTPS files in their environment would make the services speak only HTTPS to them.
 * Refused up front, naming the variables, rather than as a health check that never passes.
 */
export function assertPlainHttpEnvironment(env: NodeJS.ProcessEnv): void {
  const set = ['HTTPS_CERT_FILE', 'HTTPS_KEY_FILE'].filter((variable) => env[variable]);
  if (set.length > 0) {
    throw new Error(
      `${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set, but the hub the npm scripts start serves plain HTTP ` +
        `on 127.0.0.1 (allowed on loopback): unset ${set.length > 1 ? 'them' : 'it'}. HTTPS is for deployments ` +
        '(README, "HTTPS in compose").',
    );
  }
}
