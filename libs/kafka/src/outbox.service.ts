import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { KafkaProducer, OutgoingMessage } from './kafka.producer';
import { KAFKA_OPTIONS, KafkaModuleOptions } from './kafka.options';

const BATCH = 500;
const BACKGROUND_INTERVAL_MS = 500;
const PUBLISH_WAIT_MS = 15000;

export class OutboxUnavailableError extends Error {}

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

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly producer: KafkaProducer,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.flush().catch((error: Error) => this.logger.warn({ err: error.message }, 'outbox relay: publish failed, will retry'));
    }, BACKGROUND_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Inside the caller's transaction. Returns the outbox ids to pass to publish(). */
  async enqueue(manager: EntityManager, messages: OutgoingMessage[]): Promise<string[]> {
    if (messages.length === 0) return [];
    const params: unknown[] = [];
    const rows = messages.map((m, i) => {
      params.push(m.topic, m.key, JSON.stringify(m.value), m.headers ? JSON.stringify(m.headers) : null);
      return `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`;
    });
    const inserted: { id: string }[] = await manager.query(
      `INSERT INTO "${this.schema}".outbox (topic, key, value, headers) VALUES ${rows.join(', ')} RETURNING id`,
      params,
    );
    return inserted.map((row) => String(row.id));
  }

  /** After commit: resolves once every given row is acknowledged by Kafka, or throws OutboxUnavailableError. */
  async publish(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const deadline = Date.now() + PUBLISH_WAIT_MS;
    for (;;) {
      let published: Set<string>;
      try {
        published = await this.flush();
      } catch (error) {
        if (Date.now() > deadline) throw new OutboxUnavailableError(`Kafka did not acknowledge: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      // The usual case: the drain that ran after our commit published them itself.
      if (ids.every((id) => published.has(id))) return;
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

  private get schema(): string {
    return this.options.outboxSchema;
  }

  private async drain(): Promise<Set<string>> {
    const published = new Set<string>();
    for (;;) {
      const count = await this.dataSource.transaction(async (manager) => {
        const rows: { id: string; topic: string; key: string; value: string; headers: Record<string, string> | null }[] =
          await manager.query(
            `SELECT id, topic, key, value, headers FROM "${this.schema}".outbox ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
          );
        if (rows.length === 0) return 0;
        await this.producer.sendSerialized(
          rows.map((row) => ({
            topic: row.topic as OutgoingMessage['topic'],
            key: row.key,
            value: row.value,
            headers: row.headers ?? undefined,
          })),
        );
        await manager.query(`DELETE FROM "${this.schema}".outbox WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
        for (const row of rows) published.add(String(row.id));
        return rows.length;
      });
      if (count < BATCH) return published;
    }
  }
}
