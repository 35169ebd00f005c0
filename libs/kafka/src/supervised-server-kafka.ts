import { Logger } from '@nestjs/common';
import { ServerKafka } from '@nestjs/microservices';
import { restartWhenAbandoned } from './consumer-restart';

/**
 * Nest's Kafka server (the one-message-at-a-time @EventPattern consumer: reference data and credentials), started
 * anew when kafkajs abandons a crashed consumer (see restartWhenAbandoned): a replica that stopped consuming
 * credentials would never learn of a revocation.
 */
export class SupervisedServerKafka extends ServerKafka {
  private readonly supervisor = new Logger('KafkaServer');
  private closing = false;

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    if (!this.consumer) return;
    restartWhenAbandoned(
      this.consumer,
      async () => {
        await super.close().catch(() => undefined);
        await new Promise<void>(
          (resolve, reject) => void this.listen((error?: unknown) => (error ? reject(error as Error) : resolve())),
        );
      },
      () => this.closing,
      this.supervisor,
    );
  }

  override async close(): Promise<void> {
    this.closing = true;
    await super.close();
  }
}
