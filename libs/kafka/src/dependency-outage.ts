/** Kafka did not acknowledge committed outbox rows in time: the change is durable, the relay publishes it later. */
export class OutboxUnavailableError extends Error {}

/**
 * SQLSTATE classes that say the database (not the statement) is the problem: 08 connection exception,
 * 28 invalid authorization (a role that may not log in), 53 insufficient resources (too many clients),
 * 57 operator intervention (shutdown, terminated backend), 58 system error.
 */
const OUTAGE_SQLSTATE_CLASSES = new Set(['08', '28', '53', '57', '58']);
const OUTAGE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
/** Single SQLSTATEs of other classes: a database not accepting connections (ALLOW_CONNECTIONS false), a lock timeout. */
const OUTAGE_SQLSTATES = new Set(['55000', '55P03']);
const OUTAGE_MESSAGES =
  /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|Query runner already released|already released, cannot continue|Connection is not established/i;
/** TypeORM's names for "the connection under this query runner died" (it releases the runner on a client error). */
const OUTAGE_ERROR_NAMES = new Set([
  'QueryRunnerAlreadyReleasedError',
  'QueryRunnerProviderAlreadyReleasedError',
  'ConnectionIsNotSetError',
]);

/**
 * A dependency (PostgreSQL or Kafka) is down or refusing us, as opposed to a bug or a bad request.
 *
 * Used for two things only: the HTTP answer (503 with Retry-After instead of 500) and, in a consumer, whether a
 * failed batch is worth splitting into single messages. It never decides that a message is dropped: a consumer
 * waits out every failure that is not the message's own (see MessageRefusedError), recognised here or not.
 */
export function isDependencyOutage(error: unknown): boolean {
  if (error instanceof OutboxUnavailableError) return true;
  const e = error as { code?: unknown; name?: unknown; message?: unknown; driverError?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (OUTAGE_ERRNO.has(code) || OUTAGE_SQLSTATES.has(code)) return true;
  if (/^[0-9A-Z]{5}$/.test(code) && OUTAGE_SQLSTATE_CLASSES.has(code.slice(0, 2))) return true;
  const name = typeof e.name === 'string' ? e.name : '';
  if (name.startsWith('KafkaJS') || OUTAGE_ERROR_NAMES.has(name)) return true;
  if (OUTAGE_MESSAGES.test(typeof e.message === 'string' ? e.message : '')) return true;
  return e.driverError !== undefined && e.driverError !== error && isDependencyOutage(e.driverError);
}
