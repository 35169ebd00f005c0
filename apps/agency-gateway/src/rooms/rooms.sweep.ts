import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEventType } from '@hub/contracts/audit-event';
import { HubService } from '@hub/contracts/topics';
import { auditMessage } from '@hub/kafka/audit.publisher';
import { OutboxService } from '@hub/kafka/outbox.service';
import { PeriodicJob } from '@hub/platform/periodic-job';
import { GatewayConfig } from '../gateway.config';
import { eraseRooms } from './room-erasure';
import { RoomsRepository } from './rooms.repository';

const SWEEP_BATCH = 100;

/**
 * Every RETENTION_SWEEP_SECONDS: records the closure of the rooms whose closesAt has passed (reads already treat them
 * as closed; this writes the room.closed fact), and erases the content of those whose retention has ended (one
 * room.erased fact and a Topic.Rooms record without the name each). Replicas may run it at once (SKIP LOCKED); a failure is retried at the next tick.
 */
@Injectable()
export class RoomsSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly job = new PeriodicJob(RoomsSweep.name, 'rooms sweep', async () => {
    while ((await this.sweep(new Date())) === SWEEP_BATCH);
  });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly rooms: RoomsRepository,
    private readonly outbox: OutboxService,
    private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.job.start(this.config.RETENTION_SWEEP_SECONDS * 1000);
  }

  onApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }

  /** One batch of each; returns the larger count (a full batch means more may be due). */
  async sweep(now: Date): Promise<number> {
    let handled = 0;
    const ids = await this.dataSource.transaction(async (manager) => {
      const rooms = this.rooms.within(manager);
      const closing = await rooms.closingDue(now, SWEEP_BATCH);
      for (const room of closing) await rooms.close(room.roomId, 'closes-at', room.closesAt);
      const erasing = await rooms.retentionDue(now, SWEEP_BATCH);
      const actor = { service: HubService.AgencyGateway };
      const erased = await eraseRooms(rooms, erasing, now, { cause: 'retention' }, actor);
      handled = Math.max(closing.length, erasing.length);
      // One record per room closed or erased, read after both: an erased room's says name null, so the node's
      // replica drops the name in the same change (decision 019, "Rooms on the analysts' dashboard").
      const changed = [...new Set([...closing.map((room) => room.roomId), ...erased.erased])];
      const records = await Promise.all(changed.map((roomId) => rooms.referenceMessage(roomId)));
      return this.outbox.enqueue(manager, [
        ...records,
        ...closing.map((room) =>
          auditMessage(HubService.AgencyGateway, {
            eventId: `room-closed:${room.roomId}`,
            type: AuditEventType.RoomClosed,
            actor,
            reason: 'closes-at',
            details: { roomId: room.roomId, closesAt: room.closesAt.toISOString() },
          }),
        ),
        ...erased.facts,
      ]);
    });
    if (ids.length > 0) await this.outbox.publish(ids);
    return handled;
  }
}
