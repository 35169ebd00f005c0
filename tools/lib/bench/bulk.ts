/**
 * Issue 27 in the benchmark: bulk submission (`POST /v1/alerts/batch`, NDJSON) and bulk hit/no-hit (`POST /v1/hits`),
 * after the other phases, on the same hub.
 * - Bulk: `batches` requests of `linesPerBatch` lines, one after the other, each from the next posting agency, bodies
 *   serialised beforehand. Alerts/s accepted (over the requests' own time) and end to end (first request → every
 *   delivery on its recipient's stream), with the machine's busy % and the hub's CPU per alert.
 * - Hits: `identifiers` container numbers from one agency, `knownShare` of them named by other agencies' alerts of the
 *   run (so they hit) and the rest unknown; the same query `rounds` times, each timed, with the hits counted.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { iso6346CheckDigit } from '@hub/contracts/domain/iso6346';
import { hubCpuMsPerAlert } from './report';
import type { ExchangePhaseResult } from './results';
import type { ResourceSampler } from './metrics';
import { round1, summarize, type LatencySummary } from './metrics';
import { containerNumber } from './payload';
import type { Tracker } from './tracker';

interface Client {
  request(
    method: string,
    path: string,
    options?: { key?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number },
  ): Promise<{ status: number; body: any }>;
}

interface Poster {
  id: string;
  key: string;
  bodies: { json: string; recipients: number }[];
}

export interface BulkOptions {
  client: Client;
  tracker: Tracker;
  posters: Poster[];
  sampler: ResourceSampler;
  log: (line: string) => void;
  batches: number;
  linesPerBatch: number;
  /** Container numbers other agencies' alerts of the run carry: containerNumber(n) for n in [from, to). */
  knownContainers: { from: number; to: number };
  drainTimeoutMs: number;
  identifiers?: number;
  knownShare?: number;
  rounds?: number;
}

export interface BulkResult {
  status: 'measured' | string;
  submission?: {
    requests: number;
    linesPerRequest: number;
    accepted: number;
    refused: Record<string, number>;
    requestMs: LatencySummary;
    alertsPerSecondAccepted: number;
    alertsPerSecondEndToEnd: number;
    complete: boolean;
    machineBusyPercent: number;
    hubCpuMsPerAlert: number | null;
  };
  hits?: {
    identifiers: number;
    known: number;
    hitsPerQuery: number[];
    ms: number[];
    machineBusyPercent: number;
  };
}

/** One NDJSON line per prepared body: a fresh idempotency key, the alert as the body of `POST /v1/alerts` would be. */
export function ndjsonBatch(
  bodies: readonly { json: string }[],
  count: number,
  keyOf: () => string = () => randomUUID(),
): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++)
    lines.push(`{"idempotencyKey":"${keyOf()}","alert":${bodies[i % bodies.length].json}}`);
  return `${lines.join('\n')}\n`;
}

/** A valid ISO 6346 number with an owner code no alert of the run uses: never a hit. */
export function unknownContainer(n: number): string {
  const serial = String(n % 1000000).padStart(6, '0');
  return `ZZQU${serial}${iso6346CheckDigit(`ZZQU${serial}`)}`;
}

/** The identifiers of a hit query: every `1/knownShare`-th one known (it hits), the rest unknown. */
export function hitIdentifiers(
  count: number,
  knownShare: number,
  known: { from: number; to: number },
): { type: string; number: string }[] {
  const every = Math.max(1, Math.round(1 / knownShare));
  const span = Math.max(1, known.to - known.from);
  return Array.from({ length: count }, (_, i) => ({
    type: 'container',
    number: i % every === 0 ? containerNumber(known.from + ((i / every) % span)) : unknownContainer(i),
  }));
}

export async function runBulk(options: BulkOptions): Promise<BulkResult> {
  const { client, tracker, posters, sampler, log } = options;
  if (options.batches <= 0) return { status: 'skipped (--bulk-batches 0)' };
  log(`bulk: ${options.batches} × POST /v1/alerts/batch of ${options.linesPerBatch} lines`);
  const bodies = posters.map((poster) => ndjsonBatch(poster.bodies, options.linesPerBatch));
  const phase = tracker.begin('bulk');
  sampler.mark('bulk');
  const refused: Record<string, number> = {};
  const requestMs: number[] = [];
  let accepted = 0;
  let postingMs = 0;
  const startedAt = performance.now();
  for (let b = 0; b < options.batches; b++) {
    const index = b % posters.length;
    const poster = posters[index];
    const sentAt = performance.now();
    for (let i = 0; i < options.linesPerBatch; i++) tracker.sending(sentAt);
    const response = await client.request('POST', '/v1/alerts/batch', {
      key: poster.key,
      body: bodies[index],
      headers: { 'content-type': 'application/x-ndjson' },
      timeoutMs: 300000,
    });
    const answeredAt = performance.now();
    requestMs.push(answeredAt - sentAt);
    postingMs += answeredAt - sentAt;
    if (response.status !== 200) {
      for (let i = 0; i < options.linesPerBatch; i++) tracker.failed(phase, `batch ${response.status}`);
      log(`bulk: batch ${b} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);
      continue;
    }
    const results = (response.body as { results: { index: number; status: number; alertId?: string }[] }).results;
    for (const result of results) {
      if (result.status === 202 && result.alertId) {
        accepted++;
        const body = poster.bodies[result.index % poster.bodies.length];
        tracker.accepted(phase, result.alertId, body.recipients, sentAt, answeredAt);
      } else {
        refused[String(result.status)] = (refused[String(result.status)] || 0) + 1;
        tracker.failed(phase, String(result.status));
      }
    }
  }
  const deadline = Date.now() + options.drainTimeoutMs;
  while (phase.visible < phase.expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const drainedAt = performance.now();
  const resources = sampler.end();
  const complete = phase.visible >= phase.expected;
  const cpu = resources && complete ? cpuPerAlert(resources.cpuPercentOfOneCore, resources.seconds, accepted) : null;
  const submission = {
    requests: options.batches,
    linesPerRequest: options.linesPerBatch,
    accepted,
    refused,
    requestMs: summarize(requestMs),
    alertsPerSecondAccepted: round1((accepted * 1000) / Math.max(1, postingMs)),
    alertsPerSecondEndToEnd: round1((accepted * 1000) / Math.max(1, drainedAt - startedAt)),
    complete,
    machineBusyPercent: resources ? resources.machineBusyPercent : 0,
    hubCpuMsPerAlert: cpu,
  };
  log(
    `bulk: ${accepted} accepted at ${submission.alertsPerSecondAccepted}/s over the requests, ${submission.alertsPerSecondEndToEnd}/s until every delivery was on its stream${complete ? '' : ' (INCOMPLETE)'}`,
  );

  const count = options.identifiers ?? 10000;
  const knownShare = options.knownShare ?? 0.1;
  const identifiers = hitIdentifiers(count, knownShare, options.knownContainers);
  const asker = posters[0];
  log(`hits: POST /v1/hits with ${count} container numbers (${Math.round(knownShare * 100)} % named by alerts)`);
  sampler.mark('hits');
  const ms: number[] = [];
  const hitsPerQuery: number[] = [];
  for (let round = 0; round < (options.rounds ?? 3); round++) {
    const sentAt = performance.now();
    const response = await client.request('POST', '/v1/hits', {
      key: asker.key,
      body: { identifiers },
      timeoutMs: 120000,
    });
    ms.push(round1(performance.now() - sentAt));
    if (response.status !== 200)
      throw new Error(`POST /v1/hits answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);
    hitsPerQuery.push((response.body as { results: { hit: boolean }[] }).results.filter((r) => r.hit).length);
  }
  const hitResources = sampler.end();
  log(`hits: ${ms.join(' / ')} ms, ${hitsPerQuery.join(' / ')} hits`);
  return {
    status: 'measured',
    submission,
    hits: {
      identifiers: count,
      known: identifiers.filter((i) => !i.number.startsWith('ZZQU')).length,
      hitsPerQuery,
      ms,
      machineBusyPercent: hitResources ? hitResources.machineBusyPercent : 0,
    },
  };
}

/**
 * Hub CPU (every measured process but the load generator) per alert over the `seconds` the sampler measured, from its
 * % of one core: the whole CPU of those seconds, idle included.
 */
function cpuPerAlert(percentOfOneCore: Record<string, number>, seconds: number, alerts: number): number | null {
  if (!alerts) return null;
  const perAlert = Object.fromEntries(
    Object.entries(percentOfOneCore).map(([process, percent]) => [
      process,
      ((percent / 100) * seconds * 1000) / alerts,
    ]),
  ) as ExchangePhaseResult['cpuMsPerAlertAboveIdle'];
  const total = hubCpuMsPerAlert(perAlert);
  return total === null ? null : round1(total);
}
