import { Inject, Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { AuditEventType, AuditEvent } from '@hub/contracts/audit-event';
import { DeadLetterHeader, Topic } from '@hub/contracts/topics';
import { flattenValidationErrors } from '@hub/contracts/validation';
import { KafkaProducer } from './kafka.producer';
import { OutboxUnavailableError } from './outbox.service';
import { KAFKA_OPTIONS, KafkaModuleOptions } from './kafka.options';

const MAX_BACKOFF_MS = 5000;

class InvalidMessageError extends Error {}

/** Where a consumed message came from: Nest's KafkaContext has this shape, and so does a batch consumer's message. */
export interface ConsumedMessage {
  getTopic(): string;
  getPartition(): number;
  getMessage(): { offset: string; key: Buffer | string | null; value: Buffer | string | null | unknown };
  getHeartbeat(): () => Promise<void>;
  /** The consumer group, when it is not the client id (a batch consumer's own group). */
  getGroupId?(): string;
}

/** What a batch handler is given besides its messages. */
export interface BatchAttempt {
  /** Keeps the consumer's group membership during a long wait (the handler's own, e.g. for reference data). */
  heartbeat: () => Promise<void>;
}

/**
 * Runs one Kafka message through a handler with the hub's delivery rules:
 * validate the payload with the contract class (invalid = poison, dead-lettered at once), try the handler up to
 * maxAttempts times with exponential backoff (heartbeating so the group does not evict us), then dead-letter it
 * with its origin and audit that. It returns normally in every case but one: if even the dead-letter topic
 * cannot be written, it throws, so kafkajs redelivers instead of the message being lost.
 */
@Injectable()
export class KafkaMessageHandler {
  private readonly logger = new Logger('KafkaConsumer');

  constructor(
    private readonly producer: KafkaProducer,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
  ) {}

  async handle<T extends object>(
    context: ConsumedMessage,
    messageClass: new () => T,
    payload: unknown,
    work: (message: T, attempt: { number: number; last: boolean }) => Promise<void>,
  ): Promise<void> {
    const origin = describeOrigin(context);
    let message: T;
    try {
      message = await this.parse(messageClass, payload);
    } catch (error) {
      await this.deadLetter(context, error as Error, 0);
      return;
    }
    const maxAttempts = this.options.maxAttempts ?? 5;
    let backoff = this.options.retryBackoffMs ?? 200;
    for (let attempt = 1; ; attempt++) {
      try {
        await work(message, { number: attempt, last: attempt >= maxAttempts });
        this.logger.debug({ ...origin, ids: businessIds(message) }, 'handled');
        return;
      } catch (error) {
        this.logger.warn({ ...origin, attempt, maxAttempts, err: (error as Error).message, ids: businessIds(message) }, 'handler failed');
        if (isInfrastructureOutage(error)) {
          // The database or broker is down: the message is fine, so wait it out instead of dead-lettering an
          // accepted alert or an audit fact. Attempts are not counted; the partition resumes when it is back.
          attempt--;
        } else if (attempt >= maxAttempts) {
          await this.deadLetter(context, error as Error, attempt);
          return;
        }
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        await context.getHeartbeat()();
      }
    }
  }

  /**
   * Runs consecutive messages of one partition through a handler that takes them all at once (one transaction),
   * keeping the same rules: invalid ones are dead-lettered, an outage is waited out, and when the batch fails for
   * any other reason each message is retried alone through handle(), so one bad message only costs itself.
   * The handler must be idempotent: after a failure some messages are handled again.
   */
  async handleMany<T extends object>(
    contexts: readonly ConsumedMessage[],
    messageClass: new () => T,
    work: (messages: T[], batch: BatchAttempt) => Promise<void>,
  ): Promise<void> {
    const valid: { context: ConsumedMessage; message: T }[] = [];
    for (const context of contexts) {
      try {
        valid.push({ context, message: await this.parse(messageClass, context.getMessage().value) });
      } catch (error) {
        await this.deadLetter(context, error as Error, 0);
      }
    }
    if (valid.length === 0) return;
    const heartbeat = valid[0].context.getHeartbeat();
    let backoff = this.options.retryBackoffMs ?? 200;
    for (;;) {
      try {
        await work(valid.map((v) => v.message), { heartbeat });
        return;
      } catch (error) {
        if (!isInfrastructureOutage(error) || valid.length === 1) break;
        this.logger.warn({ err: (error as Error).message, messages: valid.length }, 'batch handler failed: infrastructure outage, waiting');
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        await heartbeat();
      }
    }
    for (const { context } of valid) {
      await this.handle(context, messageClass, context.getMessage().value, (message) => work([message], { heartbeat }));
    }
  }

  private async parse<T extends object>(messageClass: new () => T, payload: unknown): Promise<T> {
    const plain = typeof payload === 'string' || Buffer.isBuffer(payload) ? parseJson(payload.toString()) : payload;
    if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
      throw new InvalidMessageError('payload is not a JSON object');
    }
    const instance = plainToInstance(messageClass, plain);
    const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: false });
    if (errors.length > 0) {
      const details = flattenValidationErrors(errors).map((e) => `${e.path}: ${e.message}`);
      throw new InvalidMessageError(`invalid ${messageClass.name}: ${details.slice(0, 10).join('; ')}`);
    }
    return instance;
  }

  private async deadLetter(context: ConsumedMessage, error: Error, attempts: number): Promise<void> {
    const origin = describeOrigin(context);
    const raw = context.getMessage();
    const key = raw.key ? raw.key.toString() : '';
    const value = raw.value === null || raw.value === undefined ? null : decodeValue(raw.value);
    const group = context.getGroupId?.() ?? this.options.clientId;
    this.logger.error({ ...origin, attempts, err: error.message }, 'dead-lettering message');
    const event: AuditEvent = {
      eventId: `dead-letter:${group}:${origin.topic}:${origin.partition}:${origin.offset}`,
      type: AuditEventType.MessageDeadLettered,
      at: new Date().toISOString(),
      actor: { service: this.options.clientId },
      details: { ...origin, consumer: group, attempts, error: error.message.slice(0, 1000) },
    };
    await this.producer.send([
      {
        topic: Topic.DeadLetter,
        key,
        value,
        headers: {
          [DeadLetterHeader.Topic]: origin.topic,
          [DeadLetterHeader.Partition]: String(origin.partition),
          [DeadLetterHeader.Offset]: origin.offset,
          [DeadLetterHeader.Error]: error.message.slice(0, 1000),
          [DeadLetterHeader.Attempts]: String(attempts),
          [DeadLetterHeader.ConsumerGroup]: group,
        },
      },
      { topic: Topic.AuditEvents, key: origin.topic, value: event },
    ]);
  }
}

const OUTAGE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300']);

/** Connection-level failures of PostgreSQL or Kafka, as opposed to a message this handler cannot process. */
export function isInfrastructureOutage(error: unknown): boolean {
  if (error instanceof OutboxUnavailableError) return true;
  const e = error as { code?: string; name?: string; message?: string; retriable?: boolean };
  if (e?.code && (OUTAGE_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  if (e?.name === 'KafkaJSNumberOfRetriesExceeded' || e?.name === 'KafkaJSConnectionError' || e?.name === 'KafkaJSRequestTimeoutError') return true;
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(e?.message ?? '');
}

function describeOrigin(context: ConsumedMessage): { topic: string; partition: number; offset: string } {
  return { topic: context.getTopic(), partition: context.getPartition(), offset: context.getMessage().offset };
}

function businessIds(message: object): Record<string, unknown> {
  const m = message as Record<string, unknown>;
  const ids: Record<string, unknown> = {};
  for (const key of ['messageId', 'alertId', 'version', 'deliveryId', 'eventId', 'recipient']) if (m[key] !== undefined) ids[key] = m[key];
  return ids;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidMessageError('payload is not valid JSON');
  }
}

/** The original bytes as a JSON value when they parse, else as a string, so the DLQ keeps what came in. */
function decodeValue(value: unknown): unknown {
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'string' ? value : JSON.stringify(value);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
