import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { InboxModule } from '../inbox/inbox.module';
import { CheckIdentifiers } from './check-identifiers';
import { HitsController } from './hits.controller';
import { HitsRepository } from './hits.repository';

@Module({
  imports: [AlertsModule, InboxModule],
  controllers: [HitsController],
  providers: [CheckIdentifiers, HitsRepository],
})
export class HitsModule {}
