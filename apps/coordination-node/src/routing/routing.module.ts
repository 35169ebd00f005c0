import { Module } from '@nestjs/common';
import { CorrelationModule } from '../correlation/correlation.module';
import { ReferenceConsumer, ReferenceReplica } from '../reference/reference.replica';
import { RoutingService } from './routing.service';
import { SubmissionsConsumer } from './submissions.consumer';

@Module({
  imports: [CorrelationModule],
  controllers: [SubmissionsConsumer, ReferenceConsumer],
  providers: [RoutingService, ReferenceReplica],
  exports: [ReferenceReplica],
})
export class RoutingModule {}
