import { Inject, Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { AuditEventType, AuditEvent } from '@hub/contracts/audit-event';
import { compiledValidatorFor } from '@hub/contracts/compiled-validation';
import { AUDIT_TOPIC_OF, DeadLetterHeader, Topic } from '@hub/contracts/topics';
import { flattenValidationErrors } from '@hub/contracts/validation';
import { kafkaMetrics, partitionLabels } from '@hub/observability/kafka-metrics';
import { SpanKind } from '@opentelemetry/api';
import { CarrierHeaders, extractTraceContext, inBatchSpan, inSpan, tracing } from '@hub/observability/tracing';
import { KafkaProducer } from './kafka.producer';
import { ConsumerStatus } from './consumer-status';
import { isDependencyOutage } from './dependency-outage';
import { KAFKA_OPTIONS, KafkaModuleOptions } from './kafka.options';

const MAX_BACKOFF_MS = 5000;

class InvalidMessageError extends Error {}

/**
 * Thrown by a handler that refuses a message for a reason in the message itself (for example a reference it can
 * never resolve). Besides a payload that does not parse or validate, this is the only failure that dead-letters a
 * message; it is dead-lettered at once, since trying the same message again cannot change the answer.
 */
export class MessageRefusedError extends Error {}

/** The consumer is stopping (shutdown or rebalance): give up the wait, commit nothing; the message comes back. */
export class ConsumerStoppingError extends Error {}

/** Where a consumed message came from: Nest's KafkaContext has this shape, and so does a batch consumer's message. */
export interface ConsumedMessage {
  getTopic(): string;
  getPartition(): number;
  getMessage(): {
    offset: string;
    key: Buffer | string | null;
    value: Buffer | string | null | unknown;
    headers?: CarrierHeaders;
  };
  getHeartbeat(): () => Promise<void>;
  /** The consumer group, when it is not the service name (a batch consumer's own group). */
  getGroupId?(): string;
  /** True once the consumer is stopping or lost the partition: a waiting handler then gives up its wait. */
  isStopping?(): boolean;
}

/** What a batch handler is given besides its messages. */
export interface BatchAttempt {
  /** The topic the messages came from (a batch is one partition of one topic). */
  topic: string;
  /** Keeps the consumer's group membership during a long wait (the handler's own, e.g. for reference data). */
  heartbeat: () => Promise<void>;
}

/**
 * Runs Kafka messages through a handler with the hub's delivery rules (docs/decisions/002-delivery-guarantees.md):
 * - a payload that does not parse or validate against its contract class (its compiled schema) is dead-lettered at once;
 * - a handler that throws MessageRefusedError dead-letters that message at once;
 * - every other failure (the database, the broker, the network, an error nobody anticipated) is waited out with
 *   backoff, heartbeating, however long, and reported on /health meanwhile (ConsumerStatus). When in doubt, wait.
 * Dead-lettering means: the original bytes on hub.dead-letter.v1 with their origin in headers, and an audit event.
 * If even that write fails it throws, so kafkajs redelivers instead of the message being lost.
 */
@Injectable()
export class KafkaMessageHandler {
  private readonly logger = new Logger('KafkaConsumer');

  constructor(
    private readonly producer: KafkaProducer,
    private readonly status: ConsumerStatus,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
  ) {}

  async handle<T extends object>(
    context: ConsumedMessage,
    messageClass: new () => T,
    payload: unknown,
    work: (message: T) => Promise<void>,
  ): Promise<void> {
    if (!tracing.enabled) return this.handleOne(context, messageClass, payload, work);
    return inSpan(
      `process ${context.getTopic()}`,
      {
        kind: SpanKind.CONSUMER,
        parent: extractTraceContext(context.getMessage().headers),
        attributes: {
          ...this.spanAttributes(context),
          'messaging.kafka.offset': Number(context.getMessage().offset),
        },
      },
      () => this.handleOne(context, messageClass, payload, work),
    );
  }

  private async handleOne<T extends object>(
    context: ConsumedMessage,
    messageClass: new () => T,
    payload: unknown,
    work: (message: T) => Promise<void>,
  ): Promise<void> {
    let message: T;
    try {
      message = await this.parse(messageClass, payload);
    } catch (error) {
      await this.deadLetter(context, error as Error, 0);
      this.recordHandled(context);
      return;
    }
    await this.runUntilDone(context, message, work);
    this.recordHandled(context);
  }

  /** The one-message consumer's progress (a batch consumer records its own, with the lag its fetch carries). */
  private recordHandled(context: ConsumedMessage): void {
    const { consumer, topic, partition, offset } = this.origin(context);
    const labels = partitionLabels(consumer, topic, partition);
    kafkaMetrics.consumedOffset.set(labels, Number(offset));
    kafkaMetrics.lastConsumed.set(labels, Date.now() / 1000);
  }

  /**
   * Runs consecutive messages of one partition through a handler that takes them all at once (one transaction).
   * Invalid ones are dead-lettered first. While the batch fails because a dependency is down, the whole batch is
   * retried; on any other failure each message is run alone, in order, so that a refusal dead-letters only its own
   * message and an unexplained failure holds back only the messages from it on.
   * The handler must be idempotent: after a failure some messages are handled again.
   * `combined`, when given, is tried for the whole batch instead of `work` (even for a batch of one): it may handle
   * these messages together with other partitions' (CombinedCalls). Messages retried alone always go to `work`.
   */
  async handleMany<T extends object>(
    contexts: readonly ConsumedMessage[],
    messageClass: new () => T,
    work: (messages: T[], batch: BatchAttempt) => Promise<void>,
    combined?: (messages: T[], batch: BatchAttempt) => Promise<void>,
  ): Promise<void> {
    if (!tracing.enabled || contexts.length === 0) return this.handleBatch(contexts, messageClass, work, combined);
    return inBatchSpan(
      `process ${contexts[0].getTopic()}`,
      contexts.map((c) => extractTraceContext(c.getMessage().headers)),
      { ...this.spanAttributes(contexts[0]), 'messaging.batch.message_count': contexts.length },
      () => this.handleBatch(contexts, messageClass, work, combined),
    );
  }

  /** Messaging semantic conventions' attributes of a consumer span. */
  private spanAttributes(context: ConsumedMessage): Record<string, string | number> {
    return {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': context.getTopic(),
      'messaging.destination.partition.id': String(context.getPartition()),
      'messaging.consumer.group.name': context.getGroupId?.() ?? this.options.service,
    };
  }

  private async handleBatch<T extends object>(
    contexts: readonly ConsumedMessage[],
    messageClass: new () => T,
    work: (messages: T[], batch: BatchAttempt) => Promise<void>,
    combined?: (messages: T[], batch: BatchAttempt) => Promise<void>,
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
    const topic = valid[0].context.getTopic();
    if (valid.length > 1 || combined) {
      const wait = new Backoff(this.options.retryBackoffMs);
      for (;;) {
        try {
          await (combined ?? work)(
            valid.map((v) => v.message),
            { heartbeat, topic },
          );
          this.status.recovered(this.origin(valid[0].context));
          return;
        } catch (error) {
          if (!isDependencyOutage(error)) break;
          this.reportFailure(valid[0].context, error as Error, { messages: valid.length });
          await this.pause(valid[0].context, wait);
        }
      }
    }
    for (const { context, message } of valid) {
      await this.runUntilDone(context, message, (one) => work([one], { heartbeat, topic }));
    }
  }

  /** The retry loop for one message: done, refused (dead-lettered), or waited out. */
  private async runUntilDone<T extends object>(
    context: ConsumedMessage,
    message: T,
    work: (message: T) => Promise<void>,
  ): Promise<void> {
    const wait = new Backoff(this.options.retryBackoffMs);
    for (let attempt = 1; ; attempt++) {
      try {
        await work(message);
        this.status.recovered(this.origin(context));
        this.logger.debug({ ...describeOrigin(context), ids: businessIds(message) }, 'handled');
        return;
      } catch (error) {
        if (error instanceof MessageRefusedError) {
          this.status.recovered(this.origin(context));
          await this.deadLetter(context, error, attempt);
          return;
        }
        this.reportFailure(context, error as Error, { ids: businessIds(message) });
        await this.pause(context, wait);
      }
    }
  }

  private reportFailure(context: ConsumedMessage, error: Error, extra: Record<string, unknown>): void {
    const stalled = this.status.failing(this.origin(context), error);
    // The first attempts, then every tenth (about one line a minute at the backoff cap).
    if (stalled.attempts > 3 && stalled.attempts % 10 !== 0) return;
    const outage = isDependencyOutage(error);
    this.logger.warn(
      {
        ...describeOrigin(context),
        ...extra,
        attempt: stalled.attempts,
        waitingSince: stalled.since,
        outage,
        err: error.message,
      },
      outage
        ? 'dependency unavailable: waiting it out'
        : 'handler failed: retrying (only a refusal or an invalid message is dead-lettered)',
    );
  }

  private async pause(context: ConsumedMessage, wait: Backoff): Promise<void> {
    await sleep(wait.next());
    if (context.isStopping?.())
      throw new ConsumerStoppingError('consumer stopping: the message will be consumed again');
    await context.getHeartbeat()();
  }

  private origin(context: ConsumedMessage): { consumer: string; topic: string; partition: number; offset: string } {
    return { consumer: context.getGroupId?.() ?? this.options.service, ...describeOrigin(context) };
  }

  /**
   * The payload as its contract class's validated shape. Classes with a compiled schema (every class consumed from
   * Kafka, libs/contracts compiled-validation.ts) are checked by it: the same decisions as the class, unknown
   * properties removed and absent lists made empty as before, but plain objects instead of class instances and a
   * fraction of the CPU (docs/decisions/009-hot-path.md). Any other class still goes through class-validator.
   */
  private async parse<T extends object>(messageClass: new () => T, payload: unknown): Promise<T> {
    const raw = typeof payload === 'string' || Buffer.isBuffer(payload);
    const plain = raw ? parseJson(payload.toString()) : payload;
    if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
      throw new InvalidMessageError('payload is not a JSON object');
    }
    const compiled = compiledValidatorFor(messageClass);
    if (compiled) {
      // The compiled validator edits in place; an already-parsed payload is also the context's message value,
      // which a dead letter must keep as it came.
      const result = compiled.parse(raw ? plain : structuredClone(plain));
      if (!result.ok) throw invalid(messageClass, result.errors);
      return result.value;
    }
    const instance = plainToInstance(messageClass, plain);
    const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: false });
    if (errors.length > 0) throw invalid(messageClass, flattenValidationErrors(errors));
    return instance;
  }

  private async deadLetter(context: ConsumedMessage, error: Error, attempts: number): Promise<void> {
    const origin = describeOrigin(context);
    const raw = context.getMessage();
    const key = raw.key ? raw.key.toString() : '';
    const value = raw.value === null || raw.value === undefined ? null : decodeValue(raw.value);
    const group = context.getGroupId?.() ?? this.options.service;
    this.logger.error({ ...origin, attempts, err: error.message }, 'dead-lettering message');
    this.status.countDeadLettered();
    const event: AuditEvent = {
      eventId: `dead-letter:${group}:${origin.topic}:${origin.partition}:${origin.offset}`,
      type: AuditEventType.MessageDeadLettered,
      at: new Date().toISOString(),
      actor: { service: this.options.service },
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
      { topic: AUDIT_TOPIC_OF[this.options.service], key: origin.topic, value: event },
    ]);
    kafkaMetrics.deadLettered.inc({ topic: origin.topic });
  }
}

/** The error a dead letter carries: the class and the failing field paths, e.g. `alert.subjects[2].number: …`. */
function invalid(
  messageClass: { name: string },
  errors: readonly { path: string; message: string }[],
): InvalidMessageError {
  const details = errors.map((e) => `${e.path}: ${e.message}`);
  return new InvalidMessageError(`invalid ${messageClass.name}: ${details.slice(0, 10).join('; ')}`);
}

function describeOrigin(context: ConsumedMessage): { topic: string; partition: number; offset: string } {
  return { topic: context.getTopic(), partition: context.getPartition(), offset: context.getMessage().offset };
}

function businessIds(message: object): Record<string, unknown> {
  const m = message as Record<string, unknown>;
  const ids: Record<string, unknown> = {};
  for (const key of ['messageId', 'alertId', 'version', 'deliveryId', 'eventId', 'recipient'])
    if (m[key] !== undefined) ids[key] = m[key];
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
  const text = Buffer.isBuffer(value)
    ? value.toString('utf8')
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Exponential backoff from the configured first delay, capped at MAX_BACKOFF_MS. */
class Backoff {
  private current: number;

  constructor(initialMs = 200) {
    this.current = initialMs;
  }

  next(): number {
    const delay = this.current;
    this.current = Math.min(this.current * 2, MAX_BACKOFF_MS);
    return delay;
  }
}
