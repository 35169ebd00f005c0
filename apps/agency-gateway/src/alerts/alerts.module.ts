import { Module } from '@nestjs/common';
import { ReferenceSnapshot } from '../reference/reference.snapshot';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';

@Module({ controllers: [AlertsController], providers: [AlertsService, ReferenceSnapshot] })
export class AlertsModule {}
