import { Module } from '@nestjs/common';
import { RoomsController } from './rooms.controller';
import { RoomsOverview } from './rooms-overview.service';

@Module({ controllers: [RoomsController], providers: [RoomsOverview], exports: [RoomsOverview] })
export class RoomsModule {}
