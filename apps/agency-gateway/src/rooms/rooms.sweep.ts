import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEventType } from '@hub/contracts/audit-event';
import { HubService } from '@hub/contracts/topics';
import { auditMessage } from '@hub/kafka/audit.publisher';
import { OutboxService } from '@hub/kafka/outbox.service';
import { GatewayConfig } from '../gateway.config';
import { eraseRooms } from './room-erasure';
import { RoomsRepository } from './rooms.repository';

const SWEEP_BATCH = 100;

/**
 * Every RETENTION_SWEEP_SECONDS: records the closure of the rooms whose closesAt has passed (reads already treat them
 * as closed; this writes the room.closed fact), and erases the content of those whose retention has ended (one
 * room.erased fact each). Replicas may run it at once (SKIP LOCKED); a failure is retried at the next tick.
 */
@Injectable()
export class RoomsSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RoomsSweep.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly rooms: RoomsRepository,
    private readonly outbox: OutboxService,
    private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.RETENTION_SWEEP_SECONDS * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = (async () => {
      try {
        while ((await this.sweep(new Date())) === SWEEP_BATCH);
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, 'rooms sweep failed; retried at the next tick');
      }
    })();
    await this.running;
    this.running = null;
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
      const records = await Promise.all(closing.map((room) => rooms.referenceMessage(room.roomId)));
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
