import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { Principal } from '@hub/auth/principal';
import { AlertContent } from '@hub/contracts/alert/alert-content';
import { Role } from '@hub/contracts/audit-event';
import { DeliveryKind } from '@hub/contracts/messages';
import { SqlRunner } from '@hub/database/sql-runner';
import { KafkaModuleOptions } from '@hub/kafka/kafka.options';
import type { KafkaProducer } from '@hub/kafka/kafka.producer';
import { OutboxRowSender } from '@hub/kafka/outbox-row-sender';
import { OutboxService } from '@hub/kafka/outbox.service';
import { alertBody, testEnvironment, uniqueAgencyId } from '@hub/testing';
import { StoredVersion, storedVersion, versionMessages } from '../stored-version';
import { IdempotencyKeysRepository, Submission } from './idempotency-keys.repository';

/**
 * For the repositories' specs: one connection to the real (migrated) test database, every test inside a transaction
 * rolled back after it, so nothing a spec writes is seen by the services under test or by another spec. A spec calls
 * connect/end in beforeAll/afterAll and begin/rollback in beforeEach/afterEach. `statements` lists what ran since begin.
 */
export class RolledBackDatabase implements SqlRunner {
  readonly statements: string[] = [];
  private readonly client = new Client({ connectionString: testEnvironment().databaseUrl });

  async connect(): Promise<void> {
    await this.client.connect();
  }

  async end(): Promise<void> {
    await this.client.end();
  }

  async begin(): Promise<void> {
    await this.client.query('BEGIN');
    this.statements.length = 0;
  }

  async rollback(): Promise<void> {
    await this.client.query('ROLLBACK');
  }

  async query<Row = any>(sql: string, parameters?: unknown[]): Promise<Row[]> {
    this.statements.push(sql);
    return (await this.client.query(sql, parameters)).rows as Row[];
  }
}

/** The gateway's outbox, for the SQL it contributes to a statement only: these specs never publish. */
export function gatewayOutbox(): OutboxService {
  return new OutboxService(
    undefined as unknown as DataSource,
    undefined as unknown as KafkaProducer,
    undefined as unknown as OutboxRowSender,
    { outboxSchema: 'gateway' } as KafkaModuleOptions,
  );
}

/** A fresh agency in gateway.agencies (alerts name their sender by it) and a principal of it. */
export async function agency(db: SqlRunner): Promise<Principal> {
  const agencyId = uniqueAgencyId();
  await db.query<never>(
    `INSERT INTO gateway.agencies (id, name, country, kind) VALUES ($1, $1, 'TJ', 'national-agency')`,
    [agencyId],
  );
  return { agencyId, keyId: `key-${agencyId}`, role: Role.Agency };
}

export function alertContent(overrides: Record<string, unknown> = {}): AlertContent {
  return alertBody(['KG-TEST'], overrides) as AlertContent;
}

/** A new alert's submission (version 1) as SubmitAlert builds it, not written yet; `overrides` replace its fields. */
export function newSubmission(
  sender: Principal,
  content: AlertContent = alertContent(),
  overrides: Partial<Submission> = {},
): Submission {
  const stored = storedVersion(sender, 'alert', randomUUID(), 1, content);
  return {
    sender: sender.agencyId,
    idempotencyKey: randomUUID(),
    requestHash: 'a'.repeat(64),
    response: {
      alertId: stored.message.alertId,
      version: 1,
      messageId: stored.message.messageId,
      acceptedAt: stored.message.receivedAt,
    },
    stored,
    retainUntil: '2999-01-01T00:00:00.000Z',
    messages: versionMessages(sender, stored, {}),
    ...overrides,
  };
}

/** A submitted alert (version 1) as the submission writes it, with its retention ending on `retainUntil`. */
export async function submitted(
  db: SqlRunner,
  sender: Principal,
  options: { content?: AlertContent; retainUntil?: string; idempotencyKey?: string } = {},
): Promise<StoredVersion & { outboxIds: string[] }> {
  const submission = newSubmission(sender, options.content, {
    ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    ...(options.retainUntil ? { retainUntil: options.retainUntil } : {}),
  });
  const outboxIds = await new IdempotencyKeysRepository(db, gatewayOutbox()).claimAndSubmit(submission);
  if (!outboxIds) throw new Error('the fixture submission was not claimed');
  return { ...submission.stored, outboxIds };
}

export interface Delivery {
  recipient: string;
  alertId: string;
  version: number;
  sender: string;
  kind?: DeliveryKind | 'match';
  hasContent?: boolean;
  withdrawn?: boolean;
  erased?: boolean;
  cancelReason?: string;
}

/** An inbox row as the inbox module writes it (the next cursor of the recipient); returns its seq. */
export async function delivered(db: SqlRunner, delivery: Delivery): Promise<number> {
  const kind = delivery.kind ?? 'alert';
  const [{ seq }] = await db.query<{ seq: number }>(
    `INSERT INTO gateway.inbox (recipient, seq, delivery_id, alert_id, version, kind, sender, cancel_reason, has_content, withdrawn, erased, match)
     SELECT $1, COALESCE(max(seq), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb FROM gateway.inbox WHERE recipient = $1
     RETURNING seq::int`,
    [
      delivery.recipient,
      randomUUID(),
      delivery.alertId,
      delivery.version,
      kind,
      delivery.sender,
      delivery.cancelReason ?? null,
      kind !== 'match' && kind !== 'cancel' && (delivery.hasContent ?? true),
      delivery.withdrawn ?? false,
      delivery.erased ?? false,
      kind === 'match' ? JSON.stringify({ text: 'a match' }) : null,
    ],
  );
  return seq;
}
