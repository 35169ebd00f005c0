import { randomUUID } from 'node:crypto';
import { alertBody } from './hub-fixtures';
import { testEnvironment } from './environment';

/** One accepted submission: what the client was promised, and what it sent. */
export interface Accepted {
  alertId: string;
  idempotencyKey: string;
  /** The body of the first 202 the client got (alertId, version, messageId, acceptedAt). */
  response: Record<string, unknown>;
  body: Record<string, unknown>;
  /** How many requests the client made before that 202 (1 = no retry). */
  attempts: number;
}

export interface LoadResult {
  accepted: Accepted[];
  /** Every HTTP status seen (including those of retries), and how often; 0 = no answer (timeout, reset). */
  statuses: Map<number, number>;
  /** Submissions still without a 202 when their retry budget ran out (the test decides whether that is a failure). */
  unfinished: string[];
}

/**
 * A steady load of restricted alerts from one agency to its recipients, by `clients` concurrent clients that each
 * post one alert every `intervalMs` until `stop()` is called, and retry what a careful client retries (no answer,
 * 409 in flight, 429, 5xx) with the same Idempotency-Key until it gets its 202. Resolves when every client is done.
 */
export function startAlertLoad(options: {
  senderKey: string;
  recipients: string[];
  clients: number;
  intervalMs: number;
  /** Per submission, how long a client keeps retrying before it gives up (and reports it unfinished). */
  retryBudgetMs?: number;
  requestTimeoutMs?: number;
}): { stop: () => Promise<LoadResult>; acceptedSoFar: () => number } {
  const gateway = testEnvironment().gateway;
  const result: LoadResult = { accepted: [], statuses: new Map(), unfinished: [] };
  let stopping = false;
  let stopped: Promise<LoadResult> | null = null;
  const count = (status: number) => result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);

  async function submitUntilAccepted(idempotencyKey: string): Promise<void> {
    const body = alertBody(options.recipients, { headline: `Load ${idempotencyKey.slice(0, 8)}` });
    const deadline = Date.now() + (options.retryBudgetMs ?? 180_000);
    let backoff = 100;
    let attempts = 0;
    while (Date.now() < deadline) {
      attempts += 1;
      let status = 0;
      type Answer = { alertId?: string } & Record<string, unknown>;
      let responseBody: Answer | null = null;
      try {
        const response = await fetch(`${gateway}/v1/alerts`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${options.senderKey}`,
            'content-type': 'application/json',
            'idempotency-key': idempotencyKey,
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(options.requestTimeoutMs ?? 10_000),
        });
        status = response.status;
        responseBody = (await response.json().catch(() => null)) as Answer | null;
      } catch {
        status = 0;
      }
      count(status);
      if (status === 202 && responseBody?.alertId) {
        result.accepted.push({ alertId: responseBody.alertId, idempotencyKey, response: responseBody, body, attempts });
        return;
      }
      if (status !== 0 && status !== 409 && status !== 429 && status < 500) {
        throw new Error(`submission ${idempotencyKey} refused with ${status}: ${JSON.stringify(responseBody)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, 2000);
    }
    result.unfinished.push(idempotencyKey);
  }

  async function client(): Promise<void> {
    while (!stopping) {
      const started = Date.now();
      await submitUntilAccepted(randomUUID());
      const pause = options.intervalMs - (Date.now() - started);
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  const clients = Promise.all(Array.from({ length: options.clients }, () => client()));
  return {
    acceptedSoFar: () => result.accepted.length,
    stop: () => {
      stopping = true;
      stopped ??= clients.then(() => result);
      return stopped;
    },
  };
}
