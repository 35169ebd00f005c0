import { Module } from '@nestjs/common';
import { ErasureConsumer } from './erasure.consumer';

/** The node's side of retention and erasure (docs/decisions/008-retention-and-erasure.md). */
@Module({ providers: [ErasureConsumer] })
export class ErasureModule {}
