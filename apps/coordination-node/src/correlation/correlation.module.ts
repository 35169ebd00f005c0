import { Module } from '@nestjs/common';
import { CorrelationController } from './correlation.controller';
import { CorrelationQueries } from './correlation.query-service';
import { CorrelationService } from './correlation.service';

@Module({
  controllers: [CorrelationController],
  providers: [CorrelationService, CorrelationQueries],
  exports: [CorrelationService],
})
export class CorrelationModule {}
