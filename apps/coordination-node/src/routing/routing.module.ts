import { Module } from '@nestjs/common';
import { CorrelationModule } from '../correlation/correlation.module';
import { ReferenceConsumer, ReferenceReplica } from '../reference/reference.replica';
import { RoutingService } from './routing.service';
import { SubmissionsConsumer } from './submissions.consumer';

@Module({
  imports: [CorrelationModule],
  controllers: [ReferenceConsumer],
  providers: [RoutingService, ReferenceReplica, SubmissionsConsumer],
  exports: [ReferenceReplica],
})
export class RoutingModule {}
