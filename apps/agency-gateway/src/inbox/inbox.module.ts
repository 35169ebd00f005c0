import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { DeliveriesConsumer } from './deliveries.consumer';
import { InboxController } from './inbox.controller';
import { InboxNotifier } from './inbox.notifier';
import { InboxService } from './inbox.service';

@Module({ imports: [AlertsModule], controllers: [InboxController], providers: [InboxService, InboxNotifier, DeliveriesConsumer] })
export class InboxModule {}
