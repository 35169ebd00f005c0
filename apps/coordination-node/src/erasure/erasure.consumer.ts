import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AlertErasedMessage } from '@hub/contracts/messages';
import { Topic } from '@hub/contracts/topics';
import { KafkaBatchConsumers } from '@hub/kafka/batch-consumer';
import { CoordinationConfig } from '../coordination.config';
import { NodeErasureRepository } from './erasure.repository';

/** A consumer group of its own: an erasure never waits behind routing or the feed, and every replica's work is shared. */
export const ERASURE_CONSUMER_GROUP = 'coordination-node-erasures';

/** The gateway erased an alert (on request or at the end of its retention): the node removes its copies too. */
@Injectable()
export class ErasureConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger(ErasureConsumer.name);

  constructor(
    private readonly consumers: KafkaBatchConsumers,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: CoordinationConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumers.start({
      groupId: ERASURE_CONSUMER_GROUP,
      topics: [Topic.AlertErasures],
      messageClass: AlertErasedMessage,
      maxBatch: 100,
      partitionsConsumedConcurrently: 1,
      handle: (messages) => this.eraseAll(messages),
    });
  }

  async eraseAll(messages: readonly AlertErasedMessage[]): Promise<void> {
    const erased = await this.dataSource.transaction((manager) =>
      new NodeErasureRepository(manager, this.config.IDENTIFIER_HASH_KEY).erase(messages),
    );
    this.logger.log({ alertIds: erased }, 'erased alerts removed from the node');
  }
}
