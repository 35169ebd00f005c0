import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AlertContent } from '@hub/contracts/alert/alert-content';
import { AckRequest, CancelAlertRequest, ForwardAlertRequest, SubmitAlertRequest, UpdateAlertRequest } from '@hub/contracts/alert/requests';
import { forwardAllowed } from '@hub/contracts/policy/forwarding';
import { hubStampedSubjectFieldErrors, stampCanonicalIdentifiers, withoutHubStampedSubjectFields } from '@hub/contracts/alert/subjects';
import { parseContent } from '@hub/contracts/alert/validate';
import { AlertSubmittedMessage, DeliveryKind } from '@hub/contracts/messages';
import { HubService, Topic } from '@hub/contracts/topics';
import { canonicalJson } from '@hub/merkle/canonical-json';
import { ackNoteCommitment, CONTENT_COMMITMENT_SCHEME, contentCommitment, newContentSalt, problemsCommitment } from '@hub/merkle/content-commitment';
import { AuditFact, AuditPublisher, auditMessage } from '@hub/kafka/audit.publisher';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { OutboxService } from '@hub/kafka/outbox.service';
import { ErrorCode, FieldError, HubError } from '@hub/platform/errors';
import { ReferenceSnapshot } from '../reference/reference.snapshot';
import { SigningKeysService } from '../signing/signing-keys.service';
import { signatureHash } from '@hub/contracts/signing/alert-signature';
import { GatewayConfig } from '../gateway.config';
import { retentionEnd } from '../erasure/retention-policy';
import { ERASED_REQUEST_HASH } from '../erasure/erasure.repository';
import { AcceptedResponse, RecipientAlertView, RecipientState, SenderAlertView, SentAlertSummary } from './alert-views';
import { AcksRepository } from './acks.repository';
import { RejectionsRepository } from './rejections.repository';

interface AlertRow {
  alert_id: string;
  sender: string;
  current_version: number;
  state: 'active' | 'cancelled';
  erased_at: Date | null;
}

/** A version as stored: the message, and the salt of the commitment the audit log holds instead of its content. */
interface StoredVersion {
  message: AlertSubmittedMessage;
  salt: Buffer;
  commitment: string;
}

/**
 * Submissions, updates, cancels, reads and acks. Every accepted change is stored with its Kafka messages in one
 * transaction (outbox) and answered only once Kafka has them; every refusal is audited with its reason.
 */
@Injectable()
export class AlertsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly audit: AuditPublisher,
    private readonly reference: ReferenceSnapshot,
    private readonly signingKeys: SigningKeysService,
    private readonly config: GatewayConfig,
  ) {}

  async submit(principal: Principal, idempotencyKey: string | undefined, body: unknown, signature?: string): Promise<AcceptedResponse> {
    if (!idempotencyKey || idempotencyKey.length > 128) {
      const problem = { path: 'Idempotency-Key', message: idempotencyKey ? 'must be 1 to 128 characters' : 'header is required' };
      await this.reject(principal, null, [problem]);
      throw HubError.validation([problem]);
    }
    const content = await this.validContent(principal, null, body, SubmitAlertRequest);
    await this.assertSignature(principal, null, content, signature);
    // The signature is part of the request: a retry must carry the same one to get the same answer.
    const requestHash = createHash('sha256')
      .update(canonicalJson(signature ? { body: body as object, signature } : (body as object)))
      .digest('hex');

    const alertId = randomUUID();
    const version = 1;
    const stored = committed(this.submittedMessage(principal, 'alert', alertId, version, content, undefined, signature));
    const { message } = stored;
    const response: AcceptedResponse = { alertId, version, messageId: message.messageId, acceptedAt: message.receivedAt };
    const messages: OutgoingMessage[] = [
      { topic: Topic.AlertsSubmitted, key: alertId, value: message },
      auditMessage(HubService.AgencyGateway, {
        eventId: `submitted:${message.messageId}`,
        type: AuditEventType.AlertSubmitted,
        actor: actorOf(principal),
        alertId,
        version,
        details: { messageId: message.messageId, idempotencyKey, ...committedDetails(stored), ...signatureDetails(signature) },
      }),
    ];
    // One statement, atomic on its own (no transaction around it): claim the Idempotency-Key with the answer and
    // the outbox ids it will have, and only if the claim is ours, the alert, its first version and the outbox rows.
    const outbox = this.outbox.insertSql(messages, 'claim.outbox_ids', 'claim', 17);
    const [claimed]: { outbox_ids: string[] }[] = await this.dataSource.query(
      `WITH claim AS (
         INSERT INTO gateway.idempotency_keys (sender, idempotency_key, request_hash, alert_id, response, outbox_ids)
         VALUES ($1, $2, $3, $4, $5, ${this.outbox.idsSql(messages.length)})
         ON CONFLICT DO NOTHING RETURNING outbox_ids
       ), alert AS (
         INSERT INTO gateway.alerts (alert_id, sender, current_version, state, retain_until)
         SELECT $4::uuid, $1::text, $6::int, 'active', $16::timestamptz FROM claim
       ), version AS (
         INSERT INTO gateway.alert_versions (alert_id, version, message_id, kind, content, cancel_reason, sender_key_id, received_at, content_salt, commitment, signature)
         SELECT $4::uuid, $6::int, $7::uuid, $8::text, $9::jsonb, $10::text, $11::text, $12::timestamptz, $13::bytea, $14::text, $15::text FROM claim
       ), outbox AS (${outbox.sql})
       SELECT outbox_ids::text[] AS outbox_ids FROM claim`,
      [
        principal.agencyId,
        idempotencyKey,
        requestHash,
        alertId,
        JSON.stringify(response),
        ...versionColumns(stored).slice(1),
        this.retainUntil(message),
        ...outbox.params,
      ],
    );
    if (!claimed) return this.replay(principal, idempotencyKey, requestHash);
    await this.outbox.publish(claimed.outbox_ids);
    return response;
  }

  /** Same key: same body → the same 202 once the first is durable; still in flight → 409; other body → 422. */
  private async replay(principal: Principal, idempotencyKey: string, requestHash: string): Promise<AcceptedResponse> {
    const [row]: { request_hash: string; response: AcceptedResponse; outbox_ids: string[] }[] = await this.dataSource.query(
      `SELECT request_hash, response, outbox_ids FROM gateway.idempotency_keys WHERE sender = $1 AND idempotency_key = $2`,
      [principal.agencyId, idempotencyKey],
    );
    // Erased: the body's hash is gone with the content; the key still answers with what it answered.
    if (row.request_hash !== requestHash && row.request_hash !== ERASED_REQUEST_HASH) {
      throw new HubError(ErrorCode.IdempotencyKeyReused, 'This Idempotency-Key was already used with a different body', [
        { path: 'Idempotency-Key', message: 'already used with a different body' },
      ]);
    }
    const [{ pending }] = await this.dataSource.query(
      `SELECT count(*)::int AS pending FROM gateway.outbox WHERE id = ANY($1::bigint[])`,
      [row.outbox_ids],
    );
    if (pending > 0) {
      throw new HubError(ErrorCode.RequestInFlight, 'A request with this Idempotency-Key is still being processed; retry shortly', [
        { path: 'Idempotency-Key', message: 'request in flight' },
      ]);
    }
    return row.response;
  }

  async update(principal: Principal, alertId: string, body: unknown, signature?: string): Promise<{ alertId: string; version: number }> {
    await this.assertSender(principal, alertId, 'update');
    const parsed = await this.validContent(principal, alertId, body, UpdateAlertRequest);
    const { baseVersion, ...rest } = parsed;
    const content = Object.assign(new AlertContent(), rest);
    await this.assertSignature(principal, alertId, content, signature);
    return this.appendVersion(principal, alertId, 'update', baseVersion, async () => ({ content, signature }));
  }

  async cancel(principal: Principal, alertId: string, body: unknown): Promise<{ alertId: string; version: number }> {
    await this.assertSender(principal, alertId, 'cancel');
    const parsed = await parseContent(body, CancelAlertRequest);
    if (!parsed.ok) {
      await this.reject(principal, alertId, parsed.errors);
      throw HubError.validation(parsed.errors);
    }
    return this.appendVersion(principal, alertId, 'cancel', null, async (manager, current) => {
      const [last]: { content: AlertContent }[] = await manager.query(
        `SELECT content FROM gateway.alert_versions WHERE alert_id = $1 AND version = $2`,
        [alertId, current.current_version],
      );
      return { content: last.content, cancelReason: parsed.value.reason };
    });
  }

  private async appendVersion(
    principal: Principal,
    alertId: string,
    kind: Exclude<DeliveryKind, 'alert'>,
    baseVersion: number | null,
    contentFor: (manager: EntityManager, current: AlertRow) => Promise<{ content: AlertContent; cancelReason?: string; signature?: string }>,
  ): Promise<{ alertId: string; version: number }> {
    const { version, ids } = await this.dataSource.transaction(async (manager) => {
      const [current]: AlertRow[] = await manager.query(
        `SELECT alert_id, sender, current_version, state, erased_at FROM gateway.alerts WHERE alert_id = $1 FOR UPDATE`,
        [alertId],
      );
      if (!current || current.sender !== principal.agencyId) {
        await this.denied(principal, alertId, kind, current ? 'not-the-sender' : 'no-such-alert');
        throw HubError.notFound('alert');
      }
      if (current.erased_at) {
        throw HubError.gone({ alertId, version: current.current_version, state: current.state, sender: current.sender, erasedAt: current.erased_at.toISOString() });
      }
      if (current.state === 'cancelled') {
        throw new HubError(ErrorCode.Conflict, 'The alert is cancelled; it cannot change any more', [{ path: 'alertId', message: 'alert is cancelled' }]);
      }
      if (baseVersion !== null && baseVersion !== current.current_version) {
        throw new HubError(ErrorCode.StaleVersion, `baseVersion ${baseVersion} is not the current version (${current.current_version})`, [
          { path: 'baseVersion', message: `current version is ${current.current_version}` },
        ]);
      }
      const next = current.current_version + 1;
      const { content, cancelReason, signature } = await contentFor(manager, current);
      const stored = committed(this.submittedMessage(principal, kind, alertId, next, content, cancelReason, signature));
      const { message } = stored;
      const messages: OutgoingMessage[] = [
        { topic: Topic.AlertsSubmitted, key: alertId, value: message },
        auditMessage(HubService.AgencyGateway, {
          eventId: `submitted:${message.messageId}`,
          type: kind === 'cancel' ? AuditEventType.AlertCancelled : AuditEventType.AlertUpdated,
          actor: actorOf(principal),
          alertId,
          version: next,
          details: { messageId: message.messageId, ...committedDetails(stored), ...(kind === 'update' ? signatureDetails(signature) : {}) },
        }),
      ];
      // The version, the alert's new state and the outbox rows in one statement. An update's content decides the
      // retention from now on; a cancel keeps the content, so its retention too.
      const outbox = this.outbox.insertSql(messages, 'ids.outbox_ids', 'ids', 14);
      const [{ outbox_ids: ids }]: { outbox_ids: string[] }[] = await manager.query(
        `WITH ids AS (SELECT ${this.outbox.idsSql(messages.length)} AS outbox_ids),
         version AS (
           INSERT INTO gateway.alert_versions (alert_id, version, message_id, kind, content, cancel_reason, sender_key_id, received_at, content_salt, commitment, signature)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ), alert AS (
           UPDATE gateway.alerts SET current_version = $2, state = $12, updated_at = now(), retain_until = COALESCE($13, retain_until) WHERE alert_id = $1
         ), outbox AS (${outbox.sql})
         SELECT outbox_ids::text[] AS outbox_ids FROM ids`,
        [...versionColumns(stored), kind === 'cancel' ? 'cancelled' : 'active', kind === 'update' ? this.retainUntil(message) : null, ...outbox.params],
      );
      return { version: next, ids };
    });
    await this.outbox.publish(ids);
    return { alertId, version };
  }

  async read(principal: Principal, alertId: string): Promise<SenderAlertView | RecipientAlertView> {
    const [alert]: (AlertRow & { created_at: Date })[] = await this.dataSource.query(
      `SELECT alert_id, sender, current_version, state, erased_at, created_at FROM gateway.alerts WHERE alert_id = $1`,
      [alertId],
    );
    if (alert && alert.sender === principal.agencyId) {
      const view = await this.senderView(alert);
      await this.audit.publish([{ type: AuditEventType.AlertRead, actor: actorOf(principal), alertId, version: view.version, details: { as: 'sender' } }]);
      return goneIfErased(view, alert.erased_at);
    }
    const [delivered]: {
      version: number;
      kind: DeliveryKind;
      sender: string;
      alert: AlertContent | null;
      signature: string | null;
      cancel_reason: string | null;
      withdrawn: boolean;
      delivered_at: Date;
    }[] = await this.dataSource.query(
      `SELECT latest.version, latest.kind, latest.sender, latest.cancel_reason, latest.withdrawn, latest.delivered_at, content.alert, content.signature
       FROM gateway.inbox latest
       LEFT JOIN LATERAL (SELECT c.alert, c.signature FROM gateway.inbox_items c WHERE c.recipient = $1 AND c.alert_id = $2 AND c.has_content
                          ORDER BY c.seq DESC LIMIT 1) content ON true
       WHERE latest.recipient = $1 AND latest.alert_id = $2 AND latest.kind <> 'match' ORDER BY latest.seq DESC LIMIT 1`,
      [principal.agencyId, alertId],
    );
    if (!delivered) {
      await this.denied(principal, alertId, 'read', alert ? 'not-a-recipient' : 'no-such-alert');
      throw HubError.notFound('alert');
    }
    await this.audit.publish([
      { type: AuditEventType.AlertRead, actor: actorOf(principal), alertId, version: delivered.version, details: { as: 'recipient' } },
    ]);
    return goneIfErased({
      alertId,
      version: delivered.version,
      kind: delivered.kind,
      sender: delivered.sender,
      deliveredAt: delivered.delivered_at.toISOString(),
      cancelReason: delivered.cancel_reason,
      // Withdrawn means gone (the inbox no longer holds the content either; see InboxService.enforceWithdrawals).
      alert: delivered.withdrawn ? null : delivered.alert,
      signature: delivered.withdrawn ? null : delivered.signature,
      withdrawn: delivered.withdrawn,
    }, alert?.erased_at ?? null);
  }

  /** The sender's own alerts, newest first, with their current version's headline; one audit fact per request. */
  async listSent(principal: Principal, limit: number): Promise<{ items: SentAlertSummary[] }> {
    const rows: {
      alert_id: string;
      current_version: number;
      state: 'active' | 'cancelled';
      headline: string | null;
      category: string | null;
      tlp: string | null;
      created_at: Date;
      updated_at: Date;
      erased_at: Date | null;
    }[] =
      await this.dataSource.query(
        `SELECT a.alert_id, a.current_version, a.state, v.content->>'headline' AS headline, v.content->>'category' AS category,
                v.content->>'tlp' AS tlp, a.created_at, a.updated_at, a.erased_at
         FROM gateway.alerts a JOIN gateway.alert_versions v ON v.alert_id = a.alert_id AND v.version = a.current_version
         WHERE a.sender = $1 ORDER BY a.created_at DESC, a.alert_id LIMIT $2`,
        [principal.agencyId, limit],
      );
    const items = rows.map((row) => ({
      alertId: row.alert_id,
      version: row.current_version,
      state: row.state,
      headline: row.headline,
      category: row.category,
      tlp: row.tlp,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      ...(row.erased_at ? { erased: true as const, erasedAt: row.erased_at.toISOString() } : {}),
    }));
    if (items.length > 0) {
      await this.audit.publish([{ type: AuditEventType.AlertRead, actor: actorOf(principal), details: { as: 'sender-list', alertIds: items.map((i) => i.alertId) } }]);
    }
    return { items };
  }

  private async senderView(alert: AlertRow): Promise<SenderAlertView> {
    const [current]: { content: AlertContent | null; received_at: Date; cancel_reason: string | null; signature: string | null }[] = await this.dataSource.query(
      `SELECT content, received_at, cancel_reason, signature FROM gateway.alert_versions WHERE alert_id = $1 AND version = $2`,
      [alert.alert_id, alert.current_version],
    );
    const deliveries: { recipient: string; version: number; kind: DeliveryKind; delivered_at: Date }[] = await this.dataSource.query(
      `SELECT DISTINCT ON (recipient) recipient, version, kind, delivered_at FROM gateway.inbox
       WHERE alert_id = $1 AND kind <> 'match' ORDER BY recipient, seq DESC`,
      [alert.alert_id],
    );
    const acks = await new AcksRepository(this.dataSource).latestPerRecipient(alert.alert_id);
    const ackBy = new Map(acks.map((a) => [a.recipient, a]));
    const recipients: RecipientState[] = deliveries.map((d) => {
      const ack = ackBy.get(d.recipient);
      return {
        agencyId: d.recipient,
        deliveredVersion: d.version,
        deliveredKind: d.kind,
        deliveredAt: d.delivered_at.toISOString(),
        ack: ack ? { version: ack.version, status: ack.status, note: ack.note, at: ack.ackedAt.toISOString() } : null,
      };
    });
    return {
      alertId: alert.alert_id,
      version: alert.current_version,
      state: alert.state,
      sender: alert.sender,
      receivedAt: current.received_at.toISOString(),
      cancelReason: current.cancel_reason,
      alert: current.content,
      signature: current.signature,
      recipients,
    };
  }

  /**
   * A recipient passes an alert on: a new alert of its own, to the agencies it names, referencing the original,
   * through the same checks, idempotency and routing as any submission. Refused (and audited) for RED,
   * AMBER+STRICT and H2, whose handling forbids onward dissemination without the originator's permission.
   */
  async forward(principal: Principal, alertId: string, idempotencyKey: string | undefined, body: unknown, signature?: string): Promise<AcceptedResponse> {
    const [latest]: { alert: AlertContent | null; kind: DeliveryKind; withdrawn: boolean; erased: boolean }[] = await this.dataSource.query(
      `SELECT kind, withdrawn, erased,
              (SELECT c.alert FROM gateway.inbox_items c WHERE c.recipient = $1 AND c.alert_id = $2 AND c.has_content ORDER BY c.seq DESC LIMIT 1) AS alert
       FROM gateway.inbox WHERE recipient = $1 AND alert_id = $2 AND kind <> 'match' ORDER BY seq DESC LIMIT 1`,
      [principal.agencyId, alertId],
    );
    if (!latest) {
      await this.denied(principal, alertId, 'forward', 'not-a-recipient');
      throw HubError.notFound('alert');
    }
    if (latest.erased) {
      await this.denied(principal, alertId, 'forward', 'forward-refused-erased');
      throw new HubError(ErrorCode.ForwardRefused, 'This alert was erased: there is nothing left to forward', [{ path: 'alertId', message: 'the alert was erased' }]);
    }
    // The originator cancelled the alert, or withdrew it from this recipient: there is nothing left to pass on.
    if (latest.kind === 'cancel' || latest.alert === null) {
      const why = latest.withdrawn ? 'withdrawn' : 'cancelled';
      await this.denied(principal, alertId, 'forward', `forward-refused-${why}`);
      throw new HubError(ErrorCode.ForwardRefused, `This alert was ${why === 'withdrawn' ? 'withdrawn from you' : 'cancelled'} by its originator: it cannot be forwarded`, [
        { path: 'alertId', message: `the alert was ${why === 'withdrawn' ? 'withdrawn from you' : 'cancelled'}` },
      ]);
    }
    const content = latest.alert;
    const parsed = await parseContent(body, ForwardAlertRequest);
    if (!parsed.ok) {
      await this.reject(principal, alertId, parsed.errors);
      throw HubError.validation(parsed.errors);
    }
    if (!forwardAllowed(content)) {
      await this.denied(principal, alertId, 'forward', `forward-refused-${content.tlp}-${content.handlingCode}`);
      throw new HubError(ErrorCode.ForwardRefused, `Forwarding is refused for ${content.tlp} / ${content.handlingCode} alerts`, [
        { path: 'alertId', message: 'RED, AMBER+STRICT and H2 alerts may not be forwarded without the originator' },
      ]);
    }
    const forwarded = {
      ...content,
      subjects: withoutHubStampedSubjectFields(content.subjects),
      distribution: { scope: 'restricted', recipients: parsed.value.recipients, sharingGroups: [] },
      references: [alertId],
    };
    return this.submit(principal, idempotencyKey, forwarded, signature);
  }

  async acknowledge(principal: Principal, alertId: string, body: unknown): Promise<{ alertId: string; version: number; status: string }> {
    const delivered: { version: number }[] = await this.dataSource.query(
      `SELECT DISTINCT version FROM gateway.inbox WHERE recipient = $1 AND alert_id = $2 AND kind <> 'match'`,
      [principal.agencyId, alertId],
    );
    if (delivered.length === 0) {
      await this.denied(principal, alertId, 'ack', 'not-a-recipient');
      throw HubError.notFound('alert');
    }
    const parsed = await parseContent(body, AckRequest);
    if (!parsed.ok) throw HubError.validation(parsed.errors);
    const ack = parsed.value;
    if (!delivered.some((d) => d.version === ack.version)) {
      throw HubError.validation([
        { path: 'version', message: `version ${ack.version} was not delivered to you (delivered: ${delivered.map((d) => d.version).join(', ')})` },
      ]);
    }
    // The note is free text about the alert: the log gets a salted commitment, the note and salt stay in gateway.acks.
    const note = ack.note ? committedNote(ack.note) : null;
    const ids = await this.dataSource.transaction(async (manager) => {
      const id = await new AcksRepository(manager).insert({
        alertId,
        version: ack.version,
        recipient: principal.agencyId,
        status: ack.status,
        keyId: principal.keyId,
        note,
      });
      return this.outbox.enqueue(manager, [
        auditMessage(HubService.AgencyGateway, {
          eventId: `ack:${id}`,
          type: AuditEventType.AlertAcked,
          actor: actorOf(principal),
          alertId,
          version: ack.version,
          reason: ack.status,
          // Without a note the fact keeps the shape it always had.
          details: note ? { status: ack.status, noteCommitment: { scheme: CONTENT_COMMITMENT_SCHEME, hash: note.commitment } } : { status: ack.status, note: null },
        }),
      ]);
    });
    await this.outbox.publish(ids);
    return { alertId, version: ack.version, status: ack.status };
  }

  /** Contract (class-validator) and domain/policy checks; each refusal is audited before the 400. */
  private async validContent<T extends AlertContent>(principal: Principal, alertId: string | null, body: unknown, cls: new () => T): Promise<T> {
    const parsed = await parseContent(body, cls);
    const stamped = hubStampedSubjectFieldErrors(body);
    if (!parsed.ok || stamped.length > 0) {
      const errors = [...stamped, ...(parsed.ok ? [] : parsed.errors.filter((e) => !stamped.some((s) => s.path === e.path)))];
      await this.reject(principal, alertId, errors);
      throw HubError.validation(errors);
    }
    // Identifiers are kept as the officer wrote them, with their canonical form beside them.
    stampCanonicalIdentifiers(parsed.value.subjects);
    const now = new Date();
    const snapshot = await this.reference.load();
    const problems: FieldError[] = [
      ...snapshot.submissionErrors(parsed.value, principal.agencyId, now),
      ...(await this.referenceErrors(principal, parsed.value.references ?? [])),
    ];
    if (problems.length > 0) {
      await this.reject(principal, alertId, problems);
      throw HubError.validation(problems);
    }
    return parsed.value;
  }

  /** An Alert-Signature that does not verify, or a missing one when the sender requires them: audited, then 400. */
  private async assertSignature(principal: Principal, alertId: string | null, content: AlertContent, signature: string | undefined): Promise<void> {
    const problem = await this.signingKeys.signatureProblem(principal.agencyId, signature, content);
    if (!problem) return;
    await this.reject(principal, alertId, [problem]);
    throw HubError.validation([problem]);
  }

  /** A reference must name an alert the sender may see: its own, or one delivered to it. */
  private async referenceErrors(principal: Principal, references: string[]): Promise<FieldError[]> {
    if (references.length === 0) return [];
    const visible: { alert_id: string }[] = await this.dataSource.query(
      `SELECT alert_id FROM gateway.alerts WHERE alert_id = ANY($1::uuid[]) AND sender = $2
       UNION SELECT DISTINCT alert_id FROM gateway.inbox WHERE alert_id = ANY($1::uuid[]) AND recipient = $2 AND kind <> 'match'`,
      [references, principal.agencyId],
    );
    const seen = new Set(visible.map((v) => v.alert_id));
    return references.flatMap((id, i) => (seen.has(id) ? [] : [{ path: `references[${i}]`, message: `no alert ${id} that you can see` }]));
  }

  /** A submission refused before it reached this service (e.g. a CAP document that does not map): audited like any. */
  async recordRejection(principal: Principal, alertId: string | null, problems: FieldError[]): Promise<void> {
    await this.reject(principal, alertId, problems);
  }

  /**
   * Paths and messages can echo what was sent (a property is named by its key, a message may quote a value), so the
   * fact holds how many problems there were and a salted commitment to them; the problems and the salt stay in
   * gateway.rejections, keyed by the fact's eventId, for the configured default retention or until the alert is erased.
   */
  private async reject(principal: Principal, alertId: string | null, problems: FieldError[]): Promise<void> {
    const { problems: recorded, problemCount } = boundedProblems(problems);
    const salt = newContentSalt();
    const commitment = problemsCommitment(salt, { problems: recorded });
    const eventId = randomUUID();
    const ids = await this.dataSource.transaction(async (manager) => {
      await new RejectionsRepository(manager).insert({
        eventId,
        sender: principal.agencyId,
        keyId: principal.keyId,
        alertId,
        problems: recorded,
        salt,
        commitment,
        retainUntil: new Date(Date.now() + this.config.RETENTION_DEFAULT_SECONDS * 1000),
      });
      return this.outbox.enqueue(manager, [
        auditMessage(HubService.AgencyGateway, {
          eventId,
          type: AuditEventType.AlertRejected,
          actor: actorOf(principal),
          alertId: alertId ?? undefined,
          details: { problemCount, problemsCommitment: { scheme: CONTENT_COMMITMENT_SCHEME, hash: commitment } },
        }),
      ]);
    });
    await this.outbox.publish(ids);
  }

  /** Only the sender may change an alert; to anyone else it does not exist. Checked before the body is looked at. */
  private async assertSender(principal: Principal, alertId: string, action: string): Promise<void> {
    const [alert]: { sender: string }[] = await this.dataSource.query(`SELECT sender FROM gateway.alerts WHERE alert_id = $1`, [alertId]);
    if (alert?.sender === principal.agencyId) return;
    await this.denied(principal, alertId, action, alert ? 'not-the-sender' : 'no-such-alert');
    throw HubError.notFound('alert');
  }

  private async denied(principal: Principal, alertId: string, action: string, reason: string): Promise<void> {
    const fact: AuditFact = { type: AuditEventType.AccessDenied, actor: actorOf(principal), alertId, reason, details: { action } };
    await this.audit.publish([fact]);
  }

  private submittedMessage(
    principal: Principal,
    kind: DeliveryKind,
    alertId: string,
    version: number,
    content: AlertContent,
    cancelReason?: string,
    signature?: string,
  ): AlertSubmittedMessage {
    return {
      messageId: randomUUID(),
      kind,
      alertId,
      version,
      sender: principal.agencyId,
      senderKeyId: principal.keyId,
      receivedAt: new Date().toISOString(),
      alert: content,
      ...(cancelReason ? { cancelReason } : {}),
      ...(signature ? { signature } : {}),
    };
  }

  private retainUntil(message: AlertSubmittedMessage): string {
    return retentionEnd(message.alert, new Date(message.receivedAt), this.config.retentionPolicy).toISOString();
  }
}

/** A fresh salt per version and the commitment to the version's content (and cancel reason) under it. */
function committed(message: AlertSubmittedMessage): StoredVersion {
  const salt = newContentSalt();
  // Over the content as stored and disclosed (JSON: absent optional fields left out), not the parsed class instance.
  const asStored = JSON.parse(JSON.stringify(message.alert)) as unknown;
  return { message, salt, commitment: contentCommitment(salt, { alert: asStored, cancelReason: message.cancelReason }) };
}

/** A fresh salt per note and the commitment to the note under it (alert.acked holds only the commitment). */
function committedNote(text: string): { text: string; salt: Buffer; commitment: string } {
  const salt = newContentSalt();
  return { text, salt, commitment: ackNoteCommitment(salt, { note: text }) };
}

/**
 * What a submission, update or cancel fact says of the content: the commitment, and the metadata the analysts'
 * feed classifies the alert by (category, TLP, named recipients). The content itself stays in alert_versions.
 */
function committedDetails({ message, commitment }: StoredVersion): Record<string, unknown> {
  return {
    commitment: { scheme: CONTENT_COMMITMENT_SCHEME, hash: commitment },
    classification: { category: message.alert.category, tlp: message.alert.tlp, recipients: message.alert.distribution?.recipients ?? [] },
  };
}

/** The one place a read of an erased alert becomes a 410: the view's metadata, without content. */
function goneIfErased<T extends { alertId: string; alert: unknown; cancelReason?: string | null }>(view: T, erasedAt: Date | null): T {
  if (!erasedAt) return view;
  const { alert: _content, cancelReason: _reason, ...metadata } = view;
  throw HubError.gone({ ...metadata, erased: true, erasedAt: erasedAt.toISOString() });
}

/** The alert_versions columns of a stored version, in table order (alert_id, version, message_id, …, commitment). */
function versionColumns({ message, salt, commitment }: StoredVersion): unknown[] {
  return [
    message.alertId,
    message.version,
    message.messageId,
    message.kind,
    JSON.stringify(message.alert),
    message.cancelReason ?? null,
    message.senderKeyId,
    message.receivedAt,
    salt,
    commitment,
    message.signature ?? null,
  ];
}

/**
 * The one field an origin signature adds to a submission's audit fact: the hash of the Alert-Signature value.
 * Additive — entries without a signature keep exactly their old shape, so their leaves hash as before.
 */
function signatureDetails(signature: string | undefined): { signatureSha256?: string } {
  return signature ? { signatureSha256: signatureHash(signature) } : {};
}

/** At most this many problems, each path and message cut to this many characters, are recorded of a rejection (and committed to in its audit entry). */
export const AUDITED_PROBLEMS_MAX = 20;
export const AUDITED_PROBLEM_TEXT_MAX = 200;

/**
 * What a rejected request can make the gateway record is bounded whatever the body: the first problems, cut to length,
 * and how many there were (a body with 50 offending 5 KB paths used to write a 250 KB entry).
 */
export function boundedProblems(problems: readonly FieldError[]): { problems: FieldError[]; problemCount: number } {
  return {
    problems: problems.slice(0, AUDITED_PROBLEMS_MAX).map((p) => ({
      path: p.path.slice(0, AUDITED_PROBLEM_TEXT_MAX),
      message: p.message.slice(0, AUDITED_PROBLEM_TEXT_MAX),
    })),
    problemCount: problems.length,
  };
}
