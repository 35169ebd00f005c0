import { randomUUID } from 'node:crypto';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AlertContent } from '@hub/contracts/alert/alert-content';
import { signatureHash } from '@hub/contracts/signing/alert-signature';
import { AlertSubmittedMessage, DeliveryKind } from '@hub/contracts/messages';
import { HubService, Topic } from '@hub/contracts/topics';
import {
  ackNoteCommitment,
  COMMITMENT_DOMAINS,
  CONTENT_COMMITMENT_SCHEME,
  contentCommitment,
  newContentSalt,
  saltedCommitment,
} from '@hub/merkle/content-commitment';
import { auditMessage } from '@hub/kafka/audit.publisher';
import { OutgoingMessage } from '@hub/kafka/kafka.producer';
import { RetentionPolicy, retentionEnd } from '../erasure/retention-policy';

/** A version as stored: the message, and the salt of the commitment the audit log holds instead of its content. */
export interface StoredVersion {
  message: AlertSubmittedMessage;
  salt: Buffer;
  commitment: string;
}

/** A note as stored in gateway.acks: its text, and the salt of the commitment the alert.acked fact holds. */
export interface CommittedNote {
  text: string;
  salt: Buffer;
  commitment: string;
}

/** A new version of an alert as the hub stamps it (messageId, sender, key, time) and commits to it. */
export function storedVersion(
  principal: Principal,
  kind: DeliveryKind,
  alertId: string,
  version: number,
  content: AlertContent,
  cancelReason?: string,
  signature?: string,
): StoredVersion {
  return committed({
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
  });
}

/** A fresh salt per version and the commitment to the version's content (and cancel reason) under it. */
function committed(message: AlertSubmittedMessage): StoredVersion {
  const salt = newContentSalt();
  // Over the content as stored and disclosed (JSON: absent optional fields left out), not the parsed class instance.
  const asStored = JSON.parse(JSON.stringify(message.alert)) as unknown;
  return {
    message,
    salt,
    commitment: contentCommitment(salt, { alert: asStored, cancelReason: message.cancelReason }),
  };
}

/** A fresh salt per note and the commitment to the note under it (alert.acked holds only the commitment). */
export function committedNote(text: string): CommittedNote {
  const salt = newContentSalt();
  return { text, salt, commitment: ackNoteCommitment(salt, { note: text }) };
}

/**
 * The Kafka messages of a stored version: the version itself for routing, and its audit fact (submitted, updated or
 * cancelled), which commits to the content instead of holding it. `signature` is named in the fact of a submission
 * and an update only.
 */
export function versionMessages(
  principal: Principal,
  stored: StoredVersion,
  extraDetails: Record<string, unknown> = {},
): OutgoingMessage[] {
  const { message } = stored;
  const type =
    message.kind === 'alert'
      ? AuditEventType.AlertSubmitted
      : message.kind === 'cancel'
        ? AuditEventType.AlertCancelled
        : AuditEventType.AlertUpdated;
  return [
    { topic: Topic.AlertsSubmitted, key: message.alertId, value: message },
    auditMessage(HubService.AgencyGateway, {
      eventId: `submitted:${message.messageId}`,
      type,
      actor: actorOf(principal),
      alertId: message.alertId,
      version: message.version,
      details: {
        messageId: message.messageId,
        ...extraDetails,
        ...committedDetails(stored),
        ...(message.kind === 'cancel' ? {} : signatureDetails(message.signature)),
      },
    }),
  ];
}

/**
 * The client's Idempotency-Key as a submission fact names it: committed under the version's content salt (a key may be
 * anything a client chose, personal data included), so an auditor given the salt can check a key against it.
 */
export function idempotencyKeyDetails(stored: StoredVersion, idempotencyKey: string): Record<string, unknown> {
  return {
    idempotencyKeyCommitment: {
      scheme: CONTENT_COMMITMENT_SCHEME,
      hash: saltedCommitment(COMMITMENT_DOMAINS.idempotencyKey, stored.salt, { idempotencyKey }),
    },
  };
}

/** When a version's content may be kept until (its category's retention from its reception, docs/decisions/008). */
export function retainUntil(message: AlertSubmittedMessage, policy: RetentionPolicy): string {
  return retentionEnd(message.alert, new Date(message.receivedAt), policy).toISOString();
}

/**
 * What a submission, update or cancel fact says of the content: the commitment, and the metadata the analysts'
 * feed classifies the alert by (category, TLP, named recipients). The content itself stays in alert_versions.
 */
function committedDetails({ message, commitment }: StoredVersion): Record<string, unknown> {
  return {
    commitment: { scheme: CONTENT_COMMITMENT_SCHEME, hash: commitment },
    classification: {
      category: message.alert.category,
      tlp: message.alert.tlp,
      recipients: message.alert.distribution?.recipients ?? [],
    },
  };
}

/**
 * The one field an origin signature adds to a submission's audit fact: the hash of the Alert-Signature value.
 * Additive — entries without a signature keep exactly their old shape, so their leaves hash as before.
 */
function signatureDetails(signature: string | undefined): { signatureSha256?: string } {
  return signature ? { signatureSha256: signatureHash(signature) } : {};
}
