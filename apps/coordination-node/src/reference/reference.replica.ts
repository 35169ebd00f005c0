import { Controller, Injectable } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AgencyRecord, futureDatedRecordError, RoomRecord, SharingGroupRecord } from '@hub/contracts/reference';
import { Topic } from '@hub/contracts/topics';
import { KafkaMessageHandler, MessageRefusedError } from '@hub/kafka/message-handler';
import { ReferenceView } from '@hub/contracts/policy';

/**
 * The node's own copy of agencies and sharing groups, fed from the compacted reference topics (never from the
 * gateway's tables). Last write wins by updatedAt, so replaying the topic from the start is harmless.
 */
@Injectable()
export class ReferenceReplica {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async applyAgency(record: AgencyRecord): Promise<void> {
    await this.upsert('agencies', record.id, record, record.updatedAt);
  }

  async applyGroup(record: SharingGroupRecord): Promise<void> {
    await this.upsert('sharing_groups', record.id, record, record.updatedAt);
  }

  async applyRoom(record: RoomRecord): Promise<void> {
    await this.upsert('rooms', record.id.toLowerCase(), record, record.updatedAt);
  }

  /** The tables in one statement: routing reads them once per batch, and each statement is a round trip. */
  async load(): Promise<ReferenceView> {
    const [row]: { agencies: AgencyRecord[]; groups: SharingGroupRecord[]; rooms: RoomRecord[] }[] =
      await this.dataSource.query(
        `SELECT (SELECT coalesce(jsonb_agg(record), '[]') FROM coordination.agencies) AS agencies,
                (SELECT coalesce(jsonb_agg(record), '[]') FROM coordination.sharing_groups) AS groups,
                (SELECT coalesce(jsonb_agg(record), '[]') FROM coordination.rooms) AS rooms`,
      );
    return { agencies: row.agencies, sharingGroups: row.groups, rooms: row.rooms };
  }

  private async upsert(
    table: 'agencies' | 'sharing_groups' | 'rooms',
    id: string,
    record: object,
    updatedAt: string,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO coordination.${table} (id, record, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record, updated_at = EXCLUDED.updated_at
       WHERE coordination.${table}.updated_at <= EXCLUDED.updated_at`,
      [id, JSON.stringify(record), updatedAt],
    );
  }
}

@Controller()
export class ReferenceConsumer {
  constructor(
    private readonly messages: KafkaMessageHandler,
    private readonly replica: ReferenceReplica,
  ) {}

  @EventPattern(Topic.Agencies)
  async onAgency(@Payload() payload: unknown, @Ctx() context: KafkaContext): Promise<void> {
    await this.messages.handle(context, AgencyRecord, payload, (record) =>
      this.replica.applyAgency(notFutureDated(record, `agency ${record.id}`)),
    );
  }

  @EventPattern(Topic.SharingGroups)
  async onGroup(@Payload() payload: unknown, @Ctx() context: KafkaContext): Promise<void> {
    await this.messages.handle(context, SharingGroupRecord, payload, (record) =>
      this.replica.applyGroup(notFutureDated(record, `sharing group ${record.id}`)),
    );
  }

  @EventPattern(Topic.Rooms)
  async onRoom(@Payload() payload: unknown, @Ctx() context: KafkaContext): Promise<void> {
    await this.messages.handle(context, RoomRecord, payload, (record) =>
      this.replica.applyRoom(notFutureDated(record, `room ${record.id}`)),
    );
  }
}

/** A record dated in the future would outrank every real change until then (last write wins): refused, dead-lettered. */
function notFutureDated<T extends { updatedAt: string }>(record: T, what: string): T {
  const error = futureDatedRecordError(record);
  if (error !== null) throw new MessageRefusedError(`${what}: ${error}`);
  return record;
}
