import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { Principal } from '@hub/auth/principal';
import { SubmitAlertRequest } from '@hub/contracts/alert/requests';
import { canonicalJson } from '@hub/merkle/canonical-json';
import { OutboxService } from '@hub/kafka/outbox.service';
import { ErrorCode, HubError } from '@hub/platform/errors';
import { GatewayConfig } from '../../gateway.config';
import { ERASED_REQUEST_HASH } from '../../erasure/erasure.repository';
import { AcceptedResponse } from '../alert-views';
import { ContentCheck } from '../admission/content-check';
import { Refusals } from '../admission/refusals';
import { SignatureCheck } from '../admission/signature-check';
import { IdempotencyKeysRepository } from '../persistence/idempotency-keys.repository';
import { idempotencyKeyDetails, retainUntil, storedVersion, versionMessages } from '../stored-version';

/**
 * POST /v1/alerts: a new alert, idempotent by its Idempotency-Key. Accepted alerts are stored with their Kafka
 * messages in one statement (docs/decisions/009-hot-path.md) and answered only once Kafka has them.
 */
@Injectable()
export class SubmitAlert {
  constructor(
    private readonly idempotencyKeys: IdempotencyKeysRepository,
    private readonly outbox: OutboxService,
    private readonly content: ContentCheck,
    private readonly signatures: SignatureCheck,
    private readonly refusals: Refusals,
    private readonly config: GatewayConfig,
  ) {}

  async submit(
    principal: Principal,
    idempotencyKey: string | undefined,
    body: unknown,
    signature?: string,
  ): Promise<AcceptedResponse> {
    if (!idempotencyKey || idempotencyKey.length > 128) {
      const problem = {
        path: 'Idempotency-Key',
        message: idempotencyKey ? 'must be 1 to 128 characters' : 'header is required',
      };
      return this.refusals.refuse(principal, null, [problem]);
    }
    const content = await this.content.validContent(principal, null, body, SubmitAlertRequest);
    await this.signatures.assertSignature(principal, null, content, signature);
    // The signature is part of the request: a retry must carry the same one to get the same answer.
    const requestHash = createHash('sha256')
      .update(canonicalJson(signature ? { body: body as object, signature } : (body as object)))
      .digest('hex');

    const alertId = randomUUID();
    const version = 1;
    const stored = storedVersion(principal, 'alert', alertId, version, content, undefined, signature);
    const { message } = stored;
    const response: AcceptedResponse = {
      alertId,
      version,
      messageId: message.messageId,
      acceptedAt: message.receivedAt,
    };
    const messages = versionMessages(principal, stored, idempotencyKeyDetails(stored, idempotencyKey));
    const outboxIds = await this.idempotencyKeys.claimAndSubmit({
      sender: principal.agencyId,
      idempotencyKey,
      requestHash,
      response,
      stored,
      retainUntil: retainUntil(message, this.config.retentionPolicy),
      messages,
    });
    if (!outboxIds) return this.replay(principal, idempotencyKey, requestHash);
    await this.outbox.publish(outboxIds, messages);
    return response;
  }

  /** Same key: same body → the same 202 once the first is durable; still in flight → 409; other body → 422. */
  private async replay(principal: Principal, idempotencyKey: string, requestHash: string): Promise<AcceptedResponse> {
    const claim = await this.idempotencyKeys.find(principal.agencyId, idempotencyKey);
    if (!claim) throw new Error(`Idempotency-Key of ${principal.agencyId} claimed, then not found`);
    // Erased: the body's hash is gone with the content; the key still answers with what it answered.
    if (claim.requestHash !== requestHash && claim.requestHash !== ERASED_REQUEST_HASH) {
      throw new HubError(
        ErrorCode.IdempotencyKeyReused,
        'This Idempotency-Key was already used with a different body',
        [{ path: 'Idempotency-Key', message: 'already used with a different body' }],
      );
    }
    if ((await this.idempotencyKeys.unpublished(claim.outboxIds)) > 0) {
      // Its writer may have died between commit and send: the relay takes such rows over once they are stale.
      this.outbox.wake();
      throw new HubError(
        ErrorCode.RequestInFlight,
        'A request with this Idempotency-Key is still being processed; retry shortly',
        [{ path: 'Idempotency-Key', message: 'request in flight' }],
      );
    }
    return claim.response;
  }
}
