import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { tracing, withTraceHeaders } from '@hub/observability/tracing';
import { OutboxUnavailableError } from './dependency-outage';
import { KafkaProducer, MAX_REQUEST_BYTES, OutgoingMessage, SerializedMessage } from './kafka.producer';
import { KAFKA_OPTIONS, KafkaModuleOptions } from './kafka.options';
import { chunksOfBytes, OutboxRow, OutboxRowSender } from './outbox-row-sender';

const BATCH = 500;
/** How often the relay looks for rows nobody published, while the service is busy (and at most how stale a check may be). */
const RELAY_INTERVAL_MS = 1000;
/** A row this old is no request's publish in flight any more: the relay takes it (crash recovery). */
const STALE_AFTER_S = 3;
/** With nothing written for this long and nothing stale, the relay stops asking the database until the next write. */
const IDLE_AFTER_MS = 10_000;
const PUBLISH_WAIT_MS = 15000;
const DRAIN_LOCK_WAIT_MS = 5000;
/** Ids this process published lately, kept so that publish() need not ask the database about rows the relay took. */
const RECENT_IDS = 50_000;

/** Migration SQL for the outbox table of one schema; each app's first migration calls it. */
export function outboxTableSql(schema: string): { up: string; down: string } {
  return {
    up: `CREATE TABLE "${schema}".outbox (
      id bigserial PRIMARY KEY,
      topic text NOT NULL,
      key text NOT NULL,
      value text NOT NULL,
      headers jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    down: `DROP TABLE "${schema}".outbox`,
  };
}

/**
 * Transactional outbox. A state change and the Kafka messages announcing it are written in one database
 * transaction (enqueue); publishing happens after commit, by the request that wants to answer (publish) or by
 * the background relay after a crash. Consumers are idempotent, so a row published twice is harmless; a row
 * never published is impossible while the relay runs.
 */
@Injectable()
export class OutboxService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxService.name);
  private running: Promise<Set<string>> | null = null;
  private queued: Promise<Set<string>> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastActivity = 0;
  /** Rows this process wrote and will publish from memory after their commit (with when they were written). */
  private readonly held = new Map<string, { message: SerializedMessage; at: number }>();
  /** True until a check found no row older than STALE_AFTER_S (and at boot): publish() then drains in order. */
  private staleRows = true;
  private lastStaleCheck = 0;
  private staleCheck: Promise<void> | null = null;
  private readonly toDelete: string[] = [];
  private deleting: Promise<void> | null = null;
  /** Two generations of RECENT_IDS ids published by this process (the older one dropped as the newer fills). */
  private recent = new Set<string>();
  private older = new Set<string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly producer: KafkaProducer,
    private readonly rows: OutboxRowSender,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.touch();
    void this.checkStale().catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await this.deleting?.catch(() => undefined);
  }

  /** Inside the caller's transaction. Returns the outbox ids to pass to publish(). */
  async enqueue(manager: EntityManager, messages: OutgoingMessage[]): Promise<string[]> {
    if (messages.length === 0) return [];
    messages = carryingTrace(messages);
    const params: unknown[] = [];
    const rows = messages.map((m, i) => {
      params.push(m.topic, m.key, JSON.stringify(m.value), m.headers ? JSON.stringify(m.headers) : null);
      return `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`;
    });
    const inserted: { id: string }[] = await manager.query(
      `INSERT INTO "${this.schema}".outbox (topic, key, value, headers) VALUES ${rows.join(', ')} RETURNING id`,
      params,
    );
    const ids = inserted.map((row) => String(row.id));
    this.hold(ids, messages);
    return ids;
  }

  /**
   * For a statement that writes a state change and its messages in one go, with no transaction around it (see
   * IdempotencyKeysRepository.claimAndSubmit): `count` fresh outbox ids in order, as a bigint[] expression. Ids are
   * drawn from the table's own sequence, so rows written this way are drained in the same order as enqueue()'s.
   */
  idsSql(count: number): string {
    if (!Number.isSafeInteger(count) || count < 0) throw new Error(`outbox id count ${count} is not a count`);
    return `ARRAY(SELECT nextval(pg_get_serial_sequence('"${this.schema}".outbox', 'id')) FROM generate_series(1, ${count}))`;
  }

  /**
   * The INSERT (for a CTE) that writes `messages` as enqueue() would, with the ids in the bigint[] expression
   * `ids` (from idsSql), once per row of `from`; its four array parameters are numbered from `firstParam`.
   */
  insertSql(
    messages: OutgoingMessage[],
    ids: string,
    from: string,
    firstParam: number,
  ): { sql: string; params: unknown[] } {
    messages = carryingTrace(messages);
    const [topic, key, value, headers] = [0, 1, 2, 3].map((i) => `$${firstParam + i}`);
    return {
      sql: `INSERT INTO "${this.schema}".outbox (id, topic, key, value, headers)
            SELECT (${ids})[m.n], m.topic, m.key, m.value, m.headers::jsonb
            FROM ${from}, unnest(${topic}::text[], ${key}::text[], ${value}::text[], ${headers}::text[]) WITH ORDINALITY AS m(topic, key, value, headers, n)`,
      params: [
        messages.map((m) => m.topic),
        messages.map((m) => m.key),
        messages.map((m) => JSON.stringify(m.value)),
        messages.map((m) => (m.headers ? JSON.stringify(m.headers) : null)),
      ],
    };
  }

  /**
   * insertSql for many state changes in one statement (a bulk submission): the messages of each row of `from` whose
   * `keyColumn` equals a group's `key` (of SQL type `keyType`), with the ids in that row's bigint[] column `idsColumn`
   * in order. Rows of `from` that are absent (a claim not made) write nothing. Six array parameters from `firstParam`.
   */
  insertJoinedSql(
    groups: readonly { key: string; messages: OutgoingMessage[] }[],
    from: string,
    keyColumn: string,
    keyType: string,
    idsColumn: string,
    firstParam: number,
  ): { sql: string; params: unknown[] } {
    const rows = groups.flatMap((group) =>
      carryingTrace(group.messages).map((m, i) => ({ key: group.key, n: i + 1, m })),
    );
    const [key, n, topic, messageKey, value, headers] = [0, 1, 2, 3, 4, 5].map((i) => `$${firstParam + i}`);
    return {
      sql: `INSERT INTO "${this.schema}".outbox (id, topic, key, value, headers)
            SELECT f.${idsColumn}[m.n], m.topic, m.key, m.value, m.headers::jsonb
            FROM unnest(${key}::${keyType}[], ${n}::int[], ${topic}::text[], ${messageKey}::text[], ${value}::text[], ${headers}::text[])
                   AS m(row_key, n, topic, key, value, headers)
            JOIN ${from} f ON f.${keyColumn} = m.row_key`,
      params: [
        rows.map((r) => r.key),
        rows.map((r) => r.n),
        rows.map((r) => r.m.topic),
        rows.map((r) => r.m.key),
        rows.map((r) => JSON.stringify(r.m.value)),
        rows.map((r) => (r.m.headers ? JSON.stringify(r.m.headers) : null)),
      ],
    };
  }

  /** idsSql for a count that is a column of each row (`count` is an SQL expression). */
  idsPerRowSql(count: string): string {
    return `ARRAY(SELECT nextval(pg_get_serial_sequence('"${this.schema}".outbox', 'id')) FROM generate_series(1, ${count}))`;
  }

  /**
   * After commit: resolves once every given row is acknowledged by Kafka, or throws OutboxUnavailableError.
   * `messages` are the rows' messages in the order of `ids`, for rows written by a statement of the caller's own
   * (insertSql); rows written by enqueue() are already known. Known rows are sent from memory and then deleted, with
   * no transaction and no lock around the send — unless rows older than STALE_AFTER_S are waiting (a crashed or
   * failed publisher's): then everything goes out through the ordered drain, oldest first, as the relay does.
   * See docs/decisions/002-delivery-guarantees.md ("Publishing from memory").
   */
  async publish(ids: string[], messages?: OutgoingMessage[]): Promise<void> {
    if (ids.length === 0) return;
    this.touch();
    if (messages) this.hold(ids, carryingTrace(messages));
    const known = ids.map((id) => this.held.get(id)?.message);
    if (known.every((m): m is SerializedMessage => m !== undefined) && (await this.noStaleRows())) {
      // The check may have drained them itself, stale rows first.
      if (ids.every((id) => this.wasPublished(id))) return;
      try {
        await this.producer.sendSerialized(known);
        for (const id of ids) {
          this.held.delete(id);
          this.remember(id);
        }
        await this.deleteRows(ids);
        return;
      } catch (error) {
        // Too large, or the broker unavailable: the ordered drain below splits, dead-letters or waits, as it always has.
        this.logger.debug({ err: (error as Error).message }, 'publishing from memory failed: draining instead');
      }
    }
    const deadline = Date.now() + PUBLISH_WAIT_MS;
    for (;;) {
      let published: Set<string>;
      try {
        published = await this.flush();
      } catch (error) {
        if (Date.now() > deadline)
          throw new OutboxUnavailableError(`Kafka did not acknowledge: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      // The usual case: the drain that ran after our commit published them itself, or one of this process's drains
      // (the relay's, another request's) took them between our commit and our flush.
      if (ids.every((id) => published.has(id) || this.wasPublished(id))) return;
      const [{ pending }] = await this.dataSource.query(
        `SELECT count(*)::int AS pending FROM "${this.schema}".outbox WHERE id = ANY($1::bigint[])`,
        [ids],
      );
      if (pending === 0) return;
      // Another instance holds these rows; it will publish them.
      if (Date.now() > deadline) throw new OutboxUnavailableError('outbox rows not yet published');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Single-flight: callers arriving during a drain share the next one, which sees their committed rows.
   * Resolves with the ids this drain published.
   */
  flush(): Promise<Set<string>> {
    if (!this.running) {
      this.running = this.drain().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    if (!this.queued) {
      this.queued = this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return this.flush();
        });
    }
    return this.queued;
  }

  private hold(ids: string[], messages: OutgoingMessage[]): void {
    const at = Date.now();
    messages.forEach((m, i) => {
      this.held.set(ids[i], {
        at,
        message: { topic: m.topic, key: m.key, value: JSON.stringify(m.value), headers: m.headers ?? undefined },
      });
    });
  }

  /**
   * Someone waits for rows this process did not write (a retry finding its request's rows still pending): the relay
   * runs again, so rows a killed replica left behind are published within seconds even on an idle hub.
   */
  wake(): void {
    this.touch();
  }

  /** Keeps the relay running while the service writes; it stops itself once idle (no statement at rest). */
  private touch(): void {
    this.lastActivity = Date.now();
    if (this.timer) return;
    this.timer = setInterval(() => void this.relayTick(), RELAY_INTERVAL_MS);
    this.timer.unref();
  }

  private async relayTick(): Promise<void> {
    const now = Date.now();
    // Rows whose transaction rolled back are never published by their writer: forget them.
    for (const [id, row] of this.held) if (now - row.at > PUBLISH_WAIT_MS) this.held.delete(id);
    if (!this.staleRows && now - this.lastActivity > IDLE_AFTER_MS && this.held.size === 0) {
      clearInterval(this.timer!);
      this.timer = null;
      return;
    }
    await this.checkStale().catch((error: Error) =>
      this.logger.warn({ err: error.message }, 'outbox relay: publish failed, will retry'),
    );
  }

  /** True when a check lately (outboxStaleCheckTtlMs) found no row older than STALE_AFTER_S, checking if need be. */
  private async noStaleRows(): Promise<boolean> {
    const ttl = this.options.outboxStaleCheckTtlMs ?? RELAY_INTERVAL_MS;
    if (this.staleRows || Date.now() - this.lastStaleCheck >= ttl) await this.checkStale().catch(() => undefined);
    return !this.staleRows;
  }

  /** One statement; when it finds stale rows, the ordered drain publishes everything, oldest first. Single-flight. */
  private checkStale(): Promise<void> {
    this.staleCheck ??= (async () => {
      try {
        const started = Date.now();
        // Rows this process is still sending are not stale however long the send takes (an overloaded broker):
        // draining them too would only send them twice and hold every publisher behind the drain's lock.
        const [{ stale }] = await this.dataSource.query(
          `SELECT EXISTS (SELECT 1 FROM "${this.schema}".outbox
                          WHERE created_at < now() - interval '${STALE_AFTER_S} seconds' AND id <> ALL($1::bigint[])) AS stale`,
          [[...this.held.keys()]],
        );
        if (stale || this.staleRows) await this.flush();
        this.staleRows = false;
        this.lastStaleCheck = started;
      } catch (error) {
        this.staleRows = true;
        throw error;
      } finally {
        this.staleCheck = null;
      }
    })();
    return this.staleCheck;
  }

  /** Deletes published rows; concurrent callers share the next statement. A failure only leaves rows to republish. */
  private deleteRows(ids: string[]): Promise<void> {
    this.toDelete.push(...ids);
    this.deleting ??= this.runDeletes();
    return this.deleting;
  }

  private async runDeletes(): Promise<void> {
    try {
      while (this.toDelete.length > 0) {
        const batch = this.toDelete.splice(0);
        await this.dataSource
          .query(`DELETE FROM "${this.schema}".outbox WHERE id = ANY($1::bigint[])`, [batch])
          .catch((error: Error) =>
            this.logger.warn(
              { err: error.message, rows: batch.length },
              'published outbox rows not deleted: the relay will publish them again',
            ),
          );
      }
    } finally {
      this.deleting = null;
    }
  }

  private get schema(): string {
    return this.options.outboxSchema;
  }

  /**
   * One drainer at a time across all replicas of the service (a transaction-scoped advisory lock), oldest rows first:
   * with two replicas each taking the rows the other had not locked (SKIP LOCKED), a cancel could reach Kafka before
   * the alert it cancels and be routed to nobody. A replica waits at most DRAIN_LOCK_WAIT_MS for the other's drain
   * (one Kafka round trip), then the caller retries (lock_not_available counts as an outage: 503 meanwhile).
   */
  private async drain(): Promise<Set<string>> {
    const published = new Set<string>();
    for (;;) {
      const ids = await this.dataSource.transaction(async (manager): Promise<string[]> => {
        await manager.query(`SET LOCAL lock_timeout = '${DRAIN_LOCK_WAIT_MS}ms'`);
        await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`outbox:${this.schema}`]);
        const rows: OutboxRow[] = await manager.query(
          `SELECT id, topic, key, value, headers FROM "${this.schema}".outbox ORDER BY id LIMIT ${BATCH}`,
        );
        if (rows.length === 0) return [];
        for (const chunk of chunksOfBytes(rows, MAX_REQUEST_BYTES)) await this.rows.sendOrSplit(chunk);
        await manager.query(`DELETE FROM "${this.schema}".outbox WHERE id = ANY($1::bigint[])`, [
          rows.map((r) => r.id),
        ]);
        return rows.map((row) => String(row.id));
      });
      for (const id of ids) {
        published.add(id);
        this.held.delete(id);
        this.remember(id);
      }
      if (ids.length < BATCH) return published;
    }
  }

  private wasPublished(id: string): boolean {
    return this.recent.has(id) || this.older.has(id);
  }

  private remember(id: string): void {
    this.recent.add(id);
    if (this.recent.size >= RECENT_IDS) {
      this.older = this.recent;
      this.recent = new Set();
    }
  }
}

/**
 * The messages with the writer's trace context in their headers (W3C traceparent), so that a row the relay publishes
 * long after the request still continues its trace. The same array when tracing is off.
 */
function carryingTrace(messages: OutgoingMessage[]): OutgoingMessage[] {
  if (!tracing.enabled) return messages;
  return messages.map((m) => ({ ...m, headers: withTraceHeaders(m.headers) }));
}
