import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { DeliveriesConsumer } from './deliveries.consumer';
import { InboxController } from './inbox.controller';
import { InboxStreams } from './inbox-streams';
import { InboxNotifier } from './inbox.notifier';
import { InboxService } from './inbox.service';

@Module({
  imports: [AlertsModule],
  controllers: [InboxController],
  providers: [InboxService, InboxNotifier, InboxStreams, DeliveriesConsumer],
  exports: [InboxService, InboxNotifier],
})
export class InboxModule {}
