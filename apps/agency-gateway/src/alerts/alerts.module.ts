import { Module } from '@nestjs/common';
import { SigningModule } from '../signing/signing.module';
import { ReferenceSnapshot } from '../reference/reference.snapshot';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';
import { InterchangeService } from '../interchange/interchange.service';

@Module({ imports: [SigningModule], controllers: [AlertsController], providers: [AlertsService, ReferenceSnapshot, InterchangeService], exports: [InterchangeService] })
export class AlertsModule {}
