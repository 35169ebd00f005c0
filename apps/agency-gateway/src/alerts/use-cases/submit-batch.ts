import { Injectable } from '@nestjs/common';
import { Principal } from '@hub/auth/principal';
import { ErrorCode, HubError } from '@hub/platform/errors';
import { Refusals } from '../admission/refusals';
import { MAX_BATCH_LINES, parseLine, splitLines } from '../batch/ndjson-batch';
import { SubmissionOutcome, SubmissionRequest, SubmitAlert } from './submit-alert';

/** One line's answer, at its index (0-based line number). */
export interface BatchResult {
  index: number;
  status: number;
  alertId?: string;
  version?: number;
  messageId?: string;
  acceptedAt?: string;
  error?: { error: string; message: string; details: { path: string; message: string }[] };
}

/**
 * POST /v1/alerts/batch: each NDJSON line `{idempotencyKey, alert, signature?}` is its own submission with the rules
 * and answers of POST /v1/alerts (SubmitAlert.submitMany). The request as a whole is refused only for its size, its
 * content type or the caller's key; a bad line is a 400 at its index, audited like any refused submission.
 */
@Injectable()
export class SubmitBatch {
  constructor(
    private readonly submission: SubmitAlert,
    private readonly refusals: Refusals,
  ) {}

  async submit(principal: Principal, body: unknown): Promise<{ results: BatchResult[] }> {
    const lines = splitLines(typeof body === 'string' ? body : '');
    if (lines === null) {
      throw new HubError(ErrorCode.PayloadTooLarge, `A batch holds at most ${MAX_BATCH_LINES} lines`, [
        { path: 'body', message: `more than ${MAX_BATCH_LINES} lines` },
      ]);
    }
    if (lines.length === 0) throw HubError.validation([{ path: 'body', message: 'no lines: one alert per line' }]);

    const results: BatchResult[] = new Array(lines.length);
    const requests: SubmissionRequest[] = [];
    const requestIndex: number[] = [];
    for (const [index, text] of lines.entries()) {
      const parsed = parseLine(text);
      if (parsed.ok) {
        requests.push({
          idempotencyKey: parsed.line.idempotencyKey,
          body: parsed.line.alert,
          signature: parsed.line.signature,
        });
        requestIndex.push(index);
        continue;
      }
      await this.refusals.recordRejection(principal, null, parsed.problems);
      const error = HubError.validation(parsed.problems);
      results[index] = {
        index,
        status: 400,
        error: {
          error: parsed.invalidJson ? ErrorCode.InvalidJson : error.code,
          message: error.message,
          details: error.details,
        },
      };
    }
    const outcomes = await this.submission.submitMany(principal, requests);
    outcomes.forEach((outcome, i) => {
      const index = requestIndex[i];
      results[index] = resultOf(index, outcome);
    });
    return { results };
  }
}

function resultOf(index: number, outcome: SubmissionOutcome): BatchResult {
  if ('ok' in outcome) return { index, status: 202, ...outcome.ok };
  return { index, status: outcome.status, error: outcome.error };
}
