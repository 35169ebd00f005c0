import { Module } from '@nestjs/common';
import { ChartsService } from './charts.service';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';

@Module({ controllers: [StatsController], providers: [StatsService, ChartsService] })
export class StatsModule {}
