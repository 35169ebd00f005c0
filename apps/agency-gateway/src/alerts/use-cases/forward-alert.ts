import { Injectable } from '@nestjs/common';
import { Principal } from '@hub/auth/principal';
import { ForwardAlertRequest } from '@hub/contracts/alert/requests';
import { withoutHubStampedSubjectFields } from '@hub/contracts/alert/subjects';
import { parseContent } from '@hub/contracts/alert/validate';
import { forwardAllowed } from '@hub/contracts/policy/forwarding';
import { ErrorCode, HubError } from '@hub/platform/errors';
import { AcceptedResponse } from '../alert-views';
import { Refusals } from '../admission/refusals';
import { DeliveriesRepository } from '../persistence/deliveries.repository';
import { SubmitAlert } from './submit-alert';

/**
 * A recipient passes an alert on: a new alert of its own, to the agencies it names, referencing the original,
 * through the same checks, idempotency and routing as any submission. Refused (and audited) for RED,
 * AMBER+STRICT and H2, whose handling forbids onward dissemination without the originator's permission.
 */
@Injectable()
export class ForwardAlert {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly submission: SubmitAlert,
    private readonly refusals: Refusals,
  ) {}

  async forward(
    principal: Principal,
    alertId: string,
    idempotencyKey: string | undefined,
    body: unknown,
    signature?: string,
  ): Promise<AcceptedResponse> {
    const latest = await this.deliveries.forwardable(principal.agencyId, alertId);
    if (!latest) return this.refusals.notFound(principal, alertId, 'forward', 'not-a-recipient');
    if (latest.erased) {
      await this.refusals.recordDenial(principal, alertId, 'forward', 'forward-refused-erased');
      throw new HubError(ErrorCode.ForwardRefused, 'This alert was erased: there is nothing left to forward', [
        { path: 'alertId', message: 'the alert was erased' },
      ]);
    }
    // The originator cancelled the alert, or withdrew it from this recipient: there is nothing left to pass on.
    if (latest.kind === 'cancel' || latest.alert === null) {
      const why = latest.withdrawn ? 'withdrawn' : 'cancelled';
      await this.refusals.recordDenial(principal, alertId, 'forward', `forward-refused-${why}`);
      throw new HubError(
        ErrorCode.ForwardRefused,
        `This alert was ${why === 'withdrawn' ? 'withdrawn from you' : 'cancelled'} by its originator: it cannot be forwarded`,
        [{ path: 'alertId', message: `the alert was ${why === 'withdrawn' ? 'withdrawn from you' : 'cancelled'}` }],
      );
    }
    const content = latest.alert;
    const parsed = await parseContent(body, ForwardAlertRequest);
    if (!parsed.ok) return this.refusals.refuse(principal, alertId, parsed.errors);
    if (!forwardAllowed(content)) {
      await this.refusals.recordDenial(
        principal,
        alertId,
        'forward',
        `forward-refused-${content.tlp}-${content.handlingCode}`,
      );
      throw new HubError(
        ErrorCode.ForwardRefused,
        `Forwarding is refused for ${content.tlp} / ${content.handlingCode} alerts`,
        [{ path: 'alertId', message: 'RED, AMBER+STRICT and H2 alerts may not be forwarded without the originator' }],
      );
    }
    const forwarded = {
      ...content,
      subjects: withoutHubStampedSubjectFields(content.subjects),
      distribution: { scope: 'restricted', recipients: parsed.value.recipients, sharingGroups: [] },
      references: [alertId],
    };
    return this.submission.submit(principal, idempotencyKey, forwarded, signature);
  }
}
