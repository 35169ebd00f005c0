import type { HealthCheckResult, HealthIndicatorResult } from '@nestjs/terminus';

/** Per indicator, the fields /health may show anyone: states and counts, never a text an error or a handler wrote. */
const PUBLIC_FIELDS: readonly string[] = ['status', 'brokers', 'deadLetters', 'deadLetteredHere', 'stalled'];
const PUBLIC_STALLED_FIELDS: readonly string[] = ['consumer', 'topic', 'partition', 'offset', 'since', 'attempts'];

/**
 * /health is public (load balancers, compose): error texts (a driver's message, a handler's failure, a broker
 * address) stay in the log. Each indicator keeps its status and counts; a stalled partition says where it is stuck,
 * since when and how often it failed, not why.
 */
export function publicHealth(result: Partial<HealthCheckResult>): PublicHealth {
  const section = (indicators: Partial<HealthIndicatorResult> | undefined) =>
    indicators === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(indicators).map(([name, details]) => [name, publicDetails(details ?? { status: 'down' })]),
        );
  return {
    ...(result.status === undefined ? {} : { status: result.status }),
    ...(result.info === undefined ? {} : { info: section(result.info) }),
    ...(result.error === undefined ? {} : { error: section(result.error) }),
    ...(result.details === undefined ? {} : { details: section(result.details) }),
  };
}

type PublicIndicators = Record<string, Record<string, unknown>>;

export interface PublicHealth {
  status?: string;
  info?: PublicIndicators;
  error?: PublicIndicators;
  details?: PublicIndicators;
}

function publicDetails(details: Record<string, unknown>): Record<string, unknown> {
  const kept = Object.entries(details).filter(([field]) => PUBLIC_FIELDS.includes(field));
  return Object.fromEntries(
    kept.map(([field, value]) =>
      field === 'stalled' && Array.isArray(value)
        ? [field, value.map((entry) => pick(entry as Record<string, unknown>, PUBLIC_STALLED_FIELDS))]
        : [field, value],
    ),
  );
}

function pick(value: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([field]) => fields.includes(field)));
}
