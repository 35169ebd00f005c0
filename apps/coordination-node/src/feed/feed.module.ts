import { Module } from '@nestjs/common';
import { FeedConsumer } from './feed.consumer';
import { FeedController } from './feed.controller';
import { FeedNotifier } from './feed.notifier';
import { FeedService } from './feed.service';
import { RoomsModule } from '../rooms/rooms.module';

@Module({ imports: [RoomsModule], controllers: [FeedController], providers: [FeedService, FeedNotifier, FeedConsumer] })
export class FeedModule {}
