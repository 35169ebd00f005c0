import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Admin, Kafka } from 'kafkajs';
import { Topic } from '@hub/contracts/topics';
import { ConsumerStatus } from './consumer-status';
import { KAFKA_CLIENT } from './kafka.options';

const CHECK_TIMEOUT_MS = 2500;

/**
 * Kafka: healthy when a broker of the cluster answers a metadata request within the timeout; it also reports how
 * many messages the dead-letter topic holds (all services'). Consumers: unhealthy while a partition is stuck on a
 * message that keeps failing (being waited out, never dropped), naming it.
 */
@Injectable()
export class KafkaHealthIndicator implements OnModuleDestroy {
  private admin: Admin | null = null;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly indicator: HealthIndicatorService,
    private readonly consumerStatus: ConsumerStatus,
  ) {}

  async check(key = 'kafka'): Promise<HealthIndicatorResult> {
    const session = this.indicator.check(key);
    try {
      const cluster = await withTimeout(this.describe(), CHECK_TIMEOUT_MS);
      const deadLetters = await withTimeout(this.deadLetterCount(), CHECK_TIMEOUT_MS);
      return session.up({ brokers: cluster.brokers.length, deadLetters });
    } catch (error) {
      await this.reset();
      return session.down({ message: (error as Error).message });
    }
  }

  consumers(key = 'consumers'): HealthIndicatorResult {
    const session = this.indicator.check(key);
    const stalled = this.consumerStatus.stalledPartitions();
    const deadLetteredHere = this.consumerStatus.deadLetteredHere();
    if (stalled.length === 0) return session.up({ deadLetteredHere });
    return session.down({ message: 'waiting out failures (nothing is dropped)', stalled, deadLetteredHere });
  }

  /** Records on the dead-letter topic (retained ones): what an operator may have to replay. */
  private async deadLetterCount(): Promise<number> {
    const admin = this.admin as Admin;
    const offsets = await admin.fetchTopicOffsets(Topic.DeadLetter);
    return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
  }

  async onModuleDestroy(): Promise<void> {
    await this.reset();
  }

  private async describe() {
    if (!this.admin) {
      this.admin = this.kafka.admin({ retry: { retries: 0 } });
      await this.admin.connect();
    }
    return this.admin.describeCluster();
  }

  private async reset(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    await admin?.disconnect().catch(() => undefined);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from Kafka within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
