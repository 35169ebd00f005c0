import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AuditEventType } from '@hub/contracts/audit-event';
import { DeadLetterHeader, Topic } from '@hub/contracts/topics';
import { kafkaMetrics } from '@hub/observability/kafka-metrics';
import { auditMessage } from './audit.publisher';
import { isMessageTooLarge, KafkaProducer, messageBytes, SerializedMessage } from './kafka.producer';
import { KAFKA_OPTIONS, KafkaModuleOptions } from './kafka.options';

/** An outbox row as the drain reads it. */
export interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string> | null;
}

/**
 * Sends the rows the outbox drains, whatever their size: a request the broker refuses as too large is halved, and a
 * row too large on its own is dead-lettered with its origin and audited (docs/decisions/002-delivery-guarantees.md).
 */
@Injectable()
export class OutboxRowSender {
  private readonly logger = new Logger('OutboxService');

  constructor(
    private readonly producer: KafkaProducer,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
  ) {}

  /**
   * Sends rows in one request; when the broker says the request is too large, halves it, and a single row that is
   * too large on its own goes to the dead-letter topic: it can never be published, and must not hold back the rest.
   */
  async sendOrSplit(rows: OutboxRow[]): Promise<void> {
    try {
      await this.producer.sendSerialized(rows.map(serialized));
    } catch (error) {
      if (!isMessageTooLarge(error)) throw error;
      if (rows.length > 1) {
        const half = Math.ceil(rows.length / 2);
        await this.sendOrSplit(rows.slice(0, half));
        await this.sendOrSplit(rows.slice(half));
        return;
      }
      await this.deadLetterRow(rows[0], error as Error);
    }
  }

  /**
   * The dead-letter topic accepts larger records (TOPIC_SPECS), so the row usually goes there whole and can be
   * replayed as it was; if even that is refused, the record names it (origin, size, SHA-256) and keeps its start.
   */
  private async deadLetterRow(row: OutboxRow, error: Error): Promise<void> {
    const bytes = Buffer.byteLength(row.value);
    const reason = `outbox row of ${bytes} bytes refused by the broker for ${row.topic}: ${error.message}`.slice(
      0,
      1000,
    );
    const origin = `outbox:${this.options.outboxSchema}:${row.id}`;
    const headers = {
      [DeadLetterHeader.Topic]: row.topic,
      [DeadLetterHeader.Partition]: '-1',
      [DeadLetterHeader.Offset]: origin,
      [DeadLetterHeader.Error]: reason,
      [DeadLetterHeader.Attempts]: '1',
      [DeadLetterHeader.ConsumerGroup]: `${this.options.service}-outbox`,
    };
    this.logger.error(
      { origin, topic: row.topic, key: row.key, bytes },
      'outbox row too large for Kafka: dead-lettering it',
    );
    try {
      await this.producer.sendSerialized([{ topic: Topic.DeadLetter, key: row.key, value: row.value, headers }]);
    } catch (dlqError) {
      if (!isMessageTooLarge(dlqError)) throw dlqError;
      const sha256 = createHash('sha256').update(row.value).digest('hex');
      const summary = JSON.stringify({ truncated: true, bytes, sha256, start: row.value.slice(0, 64 * 1024) });
      await this.producer.sendSerialized([{ topic: Topic.DeadLetter, key: row.key, value: summary, headers }]);
    }
    kafkaMetrics.deadLettered.inc({ topic: row.topic });
    await this.producer.send([
      auditMessage(this.options.service, {
        eventId: `dead-letter:${origin}`,
        type: AuditEventType.MessageDeadLettered,
        actor: { service: this.options.service },
        details: {
          topic: row.topic,
          partition: -1,
          offset: origin,
          consumer: `${this.options.service}-outbox`,
          attempts: 1,
          error: reason,
        },
      }),
    ]);
  }
}

function serialized(row: OutboxRow): SerializedMessage {
  return { topic: row.topic as Topic, key: row.key, value: row.value, headers: row.headers ?? undefined };
}

/** Consecutive rows grouped so that each group's keys, values and headers stay under maxBytes (a larger row alone). */
export function chunksOfBytes<R extends { key: string; value: string; headers: Record<string, string> | null }>(
  rows: R[],
  maxBytes: number,
): R[][] {
  const chunks: R[][] = [];
  let current: R[] = [];
  let size = 0;
  for (const row of rows) {
    const bytes = messageBytes(row);
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(row);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
