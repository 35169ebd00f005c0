import { Injectable } from '@nestjs/common';
import { Principal } from '@hub/auth/principal';
import { AlertsRepository } from '../persistence/alerts.repository';
import { Refusals } from './refusals';

/** Only the sender may change an alert; to anyone else it does not exist. Checked before the body is looked at. */
@Injectable()
export class SenderCheck {
  constructor(
    private readonly alerts: AlertsRepository,
    private readonly refusals: Refusals,
  ) {}

  async assertSender(principal: Principal, alertId: string, action: string): Promise<void> {
    const sender = await this.alerts.senderOf(alertId);
    if (sender === principal.agencyId) return;
    await this.refusals.notFound(principal, alertId, action, sender !== null ? 'not-the-sender' : 'no-such-alert');
  }
}
