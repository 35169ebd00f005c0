import { Module } from '@nestjs/common';
import { ReferenceConsumer, ReferenceReplica } from '../reference/reference.replica';
import { RoutingService } from './routing.service';
import { SubmissionsConsumer } from './submissions.consumer';

@Module({
  controllers: [SubmissionsConsumer, ReferenceConsumer],
  providers: [RoutingService, ReferenceReplica],
  exports: [ReferenceReplica],
})
export class RoutingModule {}
