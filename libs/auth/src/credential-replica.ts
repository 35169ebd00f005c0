import { Controller, DynamicModule, Inject, Injectable, Module } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CredentialRecord } from '@hub/contracts/reference';
import { Topic } from '@hub/contracts/topics';
import { KafkaMessageHandler } from '@hub/kafka/message-handler';
import { CredentialStore } from './credential-store';

const REPLICA_SCHEMA = Symbol('REPLICA_SCHEMA');

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

  async findByKeyId(keyId: string): Promise<CredentialRecord | null> {
    const rows: { record: CredentialRecord }[] = await this.dataSource.query(
      `SELECT record FROM "${this.schema}".credentials WHERE key_id = $1`,
      [keyId],
    );
    return rows[0]?.record ?? null;
  }

  /** Last write wins by updatedAt, so a replayed older record never undoes a revocation. */
  async apply(record: CredentialRecord): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "${this.schema}".credentials (key_id, record, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (key_id) DO UPDATE SET record = EXCLUDED.record, updated_at = EXCLUDED.updated_at
       WHERE "${this.schema}".credentials.updated_at <= EXCLUDED.updated_at`,
      [record.keyId, JSON.stringify(record), record.updatedAt],
    );
  }
}

@Controller()
export class CredentialReplicaConsumer {
  constructor(
    private readonly messages: KafkaMessageHandler,
    private readonly store: ReplicatedCredentialStore,
  ) {}

  @EventPattern(Topic.Credentials)
  async onCredential(@Payload() payload: unknown, @Ctx() context: KafkaContext): Promise<void> {
    await this.messages.handle(context, CredentialRecord, payload, (record) => this.store.apply(record));
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
