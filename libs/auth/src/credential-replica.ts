import { Controller, DynamicModule, Inject, Injectable, Module } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CredentialRecord, futureDatedRecordError } from '@hub/contracts/reference';
import { Topic } from '@hub/contracts/topics';
import { KafkaMessageHandler, MessageRefusedError } from '@hub/kafka/message-handler';
import { CredentialStore } from './credential-store';

const REPLICA_SCHEMA = Symbol('REPLICA_SCHEMA');

/**
 * A later migration of each replicating app: `unapplied` marks a key whose latest credential record this replica
 * could not apply (it was dead-lettered, or its write failed). Such a key is refused until a record applies.
 */
export function credentialReplicaUnappliedSql(schema: string): { up: string; down: string } {
  return {
    up: `ALTER TABLE "${schema}".credentials ADD COLUMN unapplied boolean NOT NULL DEFAULT false`,
    down: `ALTER TABLE "${schema}".credentials DROP COLUMN unapplied`,
  };
}

/** Migration SQL for a service's replica of the credentials topic. */
export function credentialReplicaTableSql(schema: string): { up: string; down: string } {
  return {
    up: `CREATE TABLE "${schema}".credentials (
      key_id text PRIMARY KEY,
      record jsonb NOT NULL,
      updated_at timestamptz NOT NULL
    )`,
    down: `DROP TABLE "${schema}".credentials`,
  };
}

/**
 * Keys as seen by a service other than the gateway: a table fed from the compacted credentials topic, so the
 * service never reads the gateway's tables and still sees a revocation within seconds.
 */
@Injectable()
export class ReplicatedCredentialStore extends CredentialStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REPLICA_SCHEMA) private readonly schema: string,
  ) {
    super();
  }

  /** Fails closed: a key whose latest change this replica could not apply is unknown here. */
  async findByKeyId(keyId: string): Promise<CredentialRecord | null> {
    const rows: { record: CredentialRecord; unapplied: boolean }[] = await this.dataSource.query(
      `SELECT record, unapplied FROM "${this.schema}".credentials WHERE key_id = $1`,
      [keyId],
    );
    return rows[0] && !rows[0].unapplied ? rows[0].record : null;
  }

  /** Last write wins by updatedAt, so a replayed older record never undoes a revocation. */
  async apply(record: CredentialRecord): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "${this.schema}".credentials (key_id, record, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (key_id) DO UPDATE SET record = EXCLUDED.record, updated_at = EXCLUDED.updated_at, unapplied = false
       WHERE "${this.schema}".credentials.updated_at <= EXCLUDED.updated_at`,
      [record.keyId, JSON.stringify(record), record.updatedAt],
    );
  }

  /** A change to this key could not be applied: refuse the key until one is (a revocation may be among them). */
  async refuse(keyId: string): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "${this.schema}".credentials (key_id, record, updated_at, unapplied) VALUES ($1, '{}'::jsonb, '-infinity', true)
       ON CONFLICT (key_id) DO UPDATE SET unapplied = true`,
      [keyId],
    );
  }
}

@Controller()
export class CredentialReplicaConsumer {
  constructor(
    private readonly messages: KafkaMessageHandler,
    private readonly store: ReplicatedCredentialStore,
  ) {}

  /**
   * A credential change this replica cannot apply must not leave the old state in force (it may be a revocation):
   * while its write keeps failing, and for good once the record is dead-lettered as invalid, the key (the message
   * key is the key id) is refused here. The stalled partition and the dead letter show on /health.
   */
  @EventPattern(Topic.Credentials)
  async onCredential(@Payload() payload: unknown, @Ctx() context: KafkaContext): Promise<void> {
    const keyId = context.getMessage().key?.toString() || null;
    let applied = false;
    await this.messages.handle(context, CredentialRecord, payload, async (record) => {
      // Refused (dead-lettered) and the key refused here, like an invalid record: fail closed.
      const futureDated = futureDatedRecordError(record);
      if (futureDated !== null) throw new MessageRefusedError(`credential ${record.keyId}: ${futureDated}`);
      try {
        await this.store.apply(record);
        applied = true;
      } catch (error) {
        await this.store.refuse(record.keyId).catch(() => undefined);
        throw error;
      }
    });
    if (!applied && keyId) await this.store.refuse(keyId);
  }
}

@Module({})
export class CredentialReplicaModule {
  static forSchema(schema: string): DynamicModule {
    return {
      module: CredentialReplicaModule,
      controllers: [CredentialReplicaConsumer],
      providers: [
        { provide: REPLICA_SCHEMA, useValue: schema },
        ReplicatedCredentialStore,
        { provide: CredentialStore, useExisting: ReplicatedCredentialStore },
      ],
      exports: [CredentialStore, ReplicatedCredentialStore],
    };
  }
}
