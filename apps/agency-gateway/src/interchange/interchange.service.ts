import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Principal } from '@hub/auth/principal';
import { ErrorCode, HubError } from '@hub/platform/errors';
import { AcceptedResponse, InboxItem, RecipientAlertView, SenderAlertView } from '../alerts/alert-views';
import { Refusals } from '../alerts/admission/refusals';
import { SubmitAlert } from '../alerts/use-cases/submit-alert';
import { capPathOf, fromCapXml, toCapXml } from './cap';
import { fromInboxItem, fromRecipientView, fromSenderView, InterchangeView, VersionTimes } from './interchange-view';
import { CAP_MEDIA_TYPE, Representation, STIX_MEDIA_TYPE } from './media-types';
import { toStixBundle } from './stix';

/**
 * CAP 1.2 and STIX 2.1 at the HTTP edge: renders the views the JSON API serves (same access rules, same audit facts)
 * in the representation the client asked for, and turns a CAP submission into the contract's body, naming XML
 * elements in every error. The mappings themselves are pure (cap.ts, stix.ts) and take an InterchangeView.
 */
/** Inbox items that are not alerts, as the 406 names them. */
const NOT_ALERTS: Readonly<Record<string, { one: string; many: string }>> = {
  match: { one: 'A match notice', many: 'match notices' },
  hit: { one: 'A hit notice', many: 'hit notices' },
  'room-message': { one: 'A room message', many: 'room messages' },
};

@Injectable()
export class InterchangeService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly submission: SubmitAlert,
    private readonly refusals: Refusals,
  ) {}

  async renderAlert(
    view: SenderAlertView | RecipientAlertView,
    representation: Representation,
    response: Response,
  ): Promise<unknown> {
    if (representation === 'json') return view;
    const received = await this.versionTimes(view.alertId, view.version);
    const interchange = 'recipients' in view ? fromSenderView(view, received) : fromRecipientView(view, received);
    return this.render(interchange, representation, response);
  }

  async renderInboxItem(item: InboxItem, representation: Representation, response: Response): Promise<unknown> {
    if (representation === 'json') return item;
    if (
      item.kind === 'match' ||
      item.kind === 'hit' ||
      item.kind === 'room-message' ||
      item.alertId === null ||
      item.version === null
    ) {
      const name = NOT_ALERTS[item.kind] ?? NOT_ALERTS['room-message'];
      throw new HubError(ErrorCode.NotAcceptable, `${name.one} is not an alert: it has no CAP or STIX form`, [
        { path: 'Accept', message: `use application/json for ${name.many}` },
      ]);
    }
    return this.render(
      fromInboxItem(item, await this.versionTimes(item.alertId, item.version)),
      representation,
      response,
    );
  }

  /** POST /v1/alerts with a CAP 1.2 body: the same submission, the same checks and audit, errors named by element. */
  async submitCap(
    principal: Principal,
    idempotencyKey: string | undefined,
    xml: unknown,
    signature: string | undefined,
  ): Promise<AcceptedResponse> {
    const reading = fromCapXml(typeof xml === 'string' ? xml : '', principal.agencyId);
    if (!reading.ok) {
      await this.refusals.recordRejection(principal, null, reading.errors);
      throw HubError.validation(reading.errors);
    }
    try {
      return await this.submission.submit(principal, idempotencyKey, reading.body, signature);
    } catch (error) {
      if (error instanceof HubError && error.code === ErrorCode.ValidationFailed) {
        const details = error.details.map((d) =>
          d.path === 'Idempotency-Key' || d.path === 'Alert-Signature'
            ? d
            : { path: capPathOf(d.path), message: `${d.path}: ${d.message}` },
        );
        throw HubError.validation(details);
      }
      throw error;
    }
  }

  private render(view: InterchangeView, representation: Exclude<Representation, 'json'>, response: Response): unknown {
    response.vary('Accept');
    if (representation === 'cap') {
      response.type(CAP_MEDIA_TYPE);
      return toCapXml(view);
    }
    response.type(STIX_MEDIA_TYPE);
    return toStixBundle(view);
  }

  /** When the hub received this version and the one before (CAP <sent> and <references>). */
  private async versionTimes(alertId: string, version: number): Promise<VersionTimes> {
    const rows: { version: number; received_at: Date }[] = await this.dataSource.query(
      `SELECT version, received_at FROM gateway.alert_versions WHERE alert_id = $1 AND version IN ($2, $3)`,
      [alertId, version, version - 1],
    );
    return new Map(rows.map((row) => [row.version, row.received_at.toISOString()]));
  }
}
