import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { Principal } from '@hub/auth/principal';
import { SubmitAlertRequest } from '@hub/contracts/alert/requests';
import { canonicalJson } from '@hub/merkle/canonical-json';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { OutboxService } from '@hub/kafka/outbox.service';
import { ErrorBody, ErrorCode, HubError } from '@hub/platform/errors';
import { IdentifierIndex } from '../identifier-index';
import { GatewayConfig } from '../../gateway.config';
import { ERASED_REQUEST_HASH } from '../../erasure/erasure.repository';
import { AcceptedResponse } from '../alert-views';
import { ContentCheck } from '../admission/content-check';
import { Refusals } from '../admission/refusals';
import { SignatureCheck } from '../admission/signature-check';
import { IdempotencyKeysRepository, Submission } from '../persistence/idempotency-keys.repository';
import { SubmissionWriter } from '../persistence/submission-writer';
import { idempotencyKeyDetails, retainUntil, storedVersion, versionMessages } from '../stored-version';

/** Lines admitted at once: their reference reads and refusal writes overlap, bounded. */
const ADMISSION_CONCURRENCY = 32;

/** One submission of a batch: what POST /v1/alerts takes from its headers and body. */
export interface SubmissionRequest {
  idempotencyKey: string | undefined;
  body: unknown;
  signature?: string;
}

/** The answer one submission of a batch gets: the 202's body, or the error POST /v1/alerts would have answered. */
export type SubmissionOutcome = { ok: AcceptedResponse } | { status: number; error: ErrorBody };

/** A HubError as the answer of one submission; anything else fails the whole request. */
function refusedOutcome(error: unknown): SubmissionOutcome {
  if (!(error instanceof HubError) || error.status >= 500) throw error;
  return { status: error.status, error: { error: error.code, message: error.message, details: error.details } };
}

/**
 * POST /v1/alerts: a new alert, idempotent by its Idempotency-Key. Accepted alerts are stored with their Kafka
 * messages in one statement, shared with the submissions of concurrent requests (SubmissionWriter,
 * docs/decisions/009-hot-path.md), and answered only once Kafka has them.
 */
@Injectable()
export class SubmitAlert {
  constructor(
    private readonly idempotencyKeys: IdempotencyKeysRepository,
    private readonly writer: SubmissionWriter,
    private readonly outbox: OutboxService,
    private readonly content: ContentCheck,
    private readonly signatures: SignatureCheck,
    private readonly refusals: Refusals,
    private readonly config: GatewayConfig,
    private readonly identifiers: IdentifierIndex,
  ) {}

  async submit(
    principal: Principal,
    idempotencyKey: string | undefined,
    body: unknown,
    signature?: string,
  ): Promise<AcceptedResponse> {
    const submission = await this.admit(principal, idempotencyKey, body, signature);
    const [outboxIds] = await this.writer.write([submission]);
    if (!outboxIds) return this.replay(principal, submission.idempotencyKey, submission.requestHash);
    await this.outbox.publish(outboxIds, submission.messages);
    return submission.response;
  }

  /**
   * Many submissions of one sender at once (POST /v1/alerts/batch), each with the rules and answers of submit():
   * admitted one by one (a refusal is audited and answered at its index, the others go on), the admitted ones
   * written in one statement and published together, then the keys claimed before are replayed one by one.
   * Throws only for what fails the whole request (the database or Kafka unavailable).
   */
  async submitMany(principal: Principal, requests: readonly SubmissionRequest[]): Promise<SubmissionOutcome[]> {
    const outcomes: SubmissionOutcome[] = new Array(requests.length);
    const admitted: { index: number; submission: Submission }[] = [];
    for (let start = 0; start < requests.length; start += ADMISSION_CONCURRENCY) {
      const slice = requests.slice(start, start + ADMISSION_CONCURRENCY);
      await Promise.all(
        slice.map(async (request, offset) => {
          const index = start + offset;
          try {
            const submission = await this.admit(principal, request.idempotencyKey, request.body, request.signature);
            admitted.push({ index, submission });
          } catch (error) {
            outcomes[index] = refusedOutcome(error);
          }
        }),
      );
    }
    admitted.sort((a, b) => a.index - b.index);
    const claims = await this.writer.write(admitted.map((a) => a.submission));
    const ids: string[] = [];
    const messages: OutgoingMessage[] = [];
    admitted.forEach(({ index, submission }, i) => {
      const outboxIds = claims[i];
      if (!outboxIds) return;
      ids.push(...outboxIds);
      messages.push(...submission.messages);
      outcomes[index] = { ok: submission.response };
    });
    await this.outbox.publish(ids, messages);
    for (const [i, { index, submission }] of admitted.entries()) {
      if (claims[i]) continue;
      try {
        outcomes[index] = {
          ok: await this.replay(principal, submission.idempotencyKey, submission.requestHash),
        };
      } catch (error) {
        outcomes[index] = refusedOutcome(error);
      }
    }
    return outcomes;
  }

  /** The checks every submission passes (each refusal audited, then thrown as a HubError) and what it would write. */
  private async admit(
    principal: Principal,
    idempotencyKey: string | undefined,
    body: unknown,
    signature: string | undefined,
  ): Promise<Submission> {
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
    return {
      sender: principal.agencyId,
      idempotencyKey,
      requestHash,
      response,
      stored,
      retainUntil: retainUntil(message, this.config.retentionPolicy),
      messages: versionMessages(principal, stored, idempotencyKeyDetails(stored, idempotencyKey)),
      index: this.identifiers.of(content),
    };
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
