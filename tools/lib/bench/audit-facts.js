'use strict';
/**
 * The audit facts the services state for one alert, in the current leaf formats (issue 11, docs/decisions/005):
 * one `alert.submitted` with its content commitment, one `routing.decided` per version (coordination-node's own
 * routingFact: delivered / withheld lists), one `alert.delivered` per recipient, one `inbox.streamed` per stream
 * batch (every 20th an `inbox.read` page) naming its items. The services' functions are loaded from source
 * (hub-source.js); the gateway's submission, delivery and page facts are private to its services and rebuilt here
 * field by field (apps/agency-gateway/src/alerts/alerts.service.ts, inbox/inbox.service.ts). Used by the log
 * written through the services (audit-services.js) and by the synthetic log (audit-scale.js).
 */
const { randomUUID } = require('node:crypto');
const { alertContent } = require('./payload');
const { hubSource } = require('./hub-source');

const AGENCIES = [
  'TJ-BENCH01',
  'KG-BENCH02',
  'KZ-BENCH03',
  'UZ-BENCH04',
  'TM-BENCH05',
  'AZ-BENCH06',
  'RU-BENCH07',
  'AF-BENCH08',
];
/** Each stream batch an agency reads covers this many alerts (the exchange measured ~5 entries per alert). */
const ALERTS_PER_READ_BATCH = 4;

/** The facts of `count` alerts from alert number `first`: [{ service, fact }] in the order the services state them. */
function factsOf(source, first, count, state) {
  const { routingFact } = source.routing;
  const { contentCommitment, newContentSalt, saltedCommitment, COMMITMENT_DOMAINS, CONTENT_COMMITMENT_SCHEME } =
    source.merkle;
  const out = [];
  const pending = new Map(); // recipient → items not yet read
  for (let n = first; n < first + count; n++) {
    const senderIndex = n % AGENCIES.length;
    const sender = AGENCIES[senderIndex];
    const others = AGENCIES.filter((a) => a !== sender);
    const recipients = [others[n % 7], others[(n + 1) % 7], others[(n + 2) % 7]];
    const alertId = randomUUID();
    const messageId = randomUUID();
    const content = alertContent(n, recipients);
    // apps/agency-gateway/src/alerts/alerts.service.ts: the submission fact (committedDetails, no content).
    out.push({
      service: 'agency-gateway',
      fact: {
        eventId: `submitted:${messageId}`,
        type: 'alert.submitted',
        actor: { agencyId: sender, keyId: state.keyIds[sender], role: 'agency' },
        alertId,
        version: 1,
        details: {
          messageId,
          idempotencyKeyCommitment: {
            scheme: CONTENT_COMMITMENT_SCHEME,
            hash: saltedCommitment(COMMITMENT_DOMAINS.idempotencyKey, newContentSalt(), {
              idempotencyKey: randomUUID(),
            }),
          },
          commitment: {
            scheme: CONTENT_COMMITMENT_SCHEME,
            hash: contentCommitment(newContentSalt(), { alert: content, cancelReason: undefined }),
          },
          classification: { category: content.category, tlp: content.tlp, recipients },
        },
      },
    });
    const decisions = AGENCIES.map((candidate) => {
      if (candidate === sender)
        return {
          decision: { recipient: candidate, decision: 'withheld', reason: 'SENDER', asCancel: false },
          deliveryId: null,
        };
      if (recipients.includes(candidate))
        return {
          decision: { recipient: candidate, decision: 'delivered', reason: 'ADDRESSED', asCancel: false },
          deliveryId: randomUUID(),
        };
      return {
        decision: { recipient: candidate, decision: 'withheld', reason: 'NOT_ADDRESSED', asCancel: false },
        deliveryId: null,
      };
    });
    out.push({
      service: 'coordination-node',
      fact: routingFact({ alertId, version: 1, sender, kind: 'alert', messageId }, decisions, state.referenceDigest),
    });
    for (const { decision, deliveryId } of decisions) {
      if (!deliveryId) continue;
      const inboxSeq = (state.inboxSeq[decision.recipient] = (state.inboxSeq[decision.recipient] || 0) + 1);
      // apps/agency-gateway/src/inbox/inbox.service.ts: one delivered fact per inbox row.
      out.push({
        service: 'agency-gateway',
        fact: {
          eventId: `delivered:${deliveryId}`,
          type: 'alert.delivered',
          actor: { service: 'agency-gateway' },
          alertId,
          version: 1,
          recipient: decision.recipient,
          details: { deliveryId, kind: 'alert', sender, inboxSeq },
        },
      });
      const list = pending.get(decision.recipient) || [];
      list.push({ alertId, version: 1, deliveryId, kind: 'alert', cursor: String(inboxSeq) });
      pending.set(decision.recipient, list);
    }
    if ((n + 1) % ALERTS_PER_READ_BATCH === 0 || n === first + count - 1) {
      // inbox.service.ts recordSeen: one fact per stream batch (one in twenty a polled page), naming every item.
      for (const [recipient, items] of pending) {
        out.push({
          service: 'agency-gateway',
          fact: {
            type: n % 20 === 19 ? 'inbox.read' : 'inbox.streamed',
            actor: { agencyId: recipient, keyId: state.keyIds[recipient], role: 'agency' },
            details: {
              count: items.length,
              fromCursor: items[0].cursor,
              toCursor: items[items.length - 1].cursor,
              items: items.map(({ alertId: a, version, deliveryId, kind }) => ({
                alertId: a,
                version,
                deliveryId,
                kind,
              })),
            },
          },
        });
      }
      pending.clear();
    }
  }
  return out;
}

/** The services' own functions the facts are built with (and the audit-log's, for entries and their subjects). */
function factSources(root) {
  const load = hubSource(root);
  return {
    routing: load('apps/coordination-node/src/routing/routing-fact.ts'),
    publisher: load('libs/kafka/src/audit.publisher.ts'),
    merkle: load('libs/merkle/src/index.ts'),
    reader: load('apps/audit-log/src/auditor/audit-entries.reader.ts'),
    entry: load('apps/audit-log/src/log/audit-entry.ts'),
  };
}

/** What stays the same across alerts: key ids, inbox sequence numbers, the reference data's digest. */
function factState(source) {
  return {
    inboxSeq: {},
    keyIds: Object.fromEntries(AGENCIES.map((a, i) => [a, `k${String(i).padStart(23, '0')}`])),
    referenceDigest: source.routing.referenceDigest({
      agencies: AGENCIES.map((id) => ({ id, kind: 'national-agency', active: true, country: id.slice(0, 2) })),
      sharingGroups: [],
    }),
  };
}

/**
 * The log entries the audit-log would append for those facts (its own auditEntryOf: the event as stated plus the
 * producing service), with what its subject index holds for each (its own entrySubjects), and the alert ids.
 */
function serviceEntries(source, state, first, count) {
  const alertIds = [];
  const entries = [];
  for (const { service, fact } of factsOf(source, first, count, state)) {
    const entry = source.entry.auditEntryOf(source.publisher.auditEvent(fact), service);
    if (entry.type === 'alert.submitted') alertIds.push(entry.alertId);
    entries.push({ entry, subjects: source.entry.entrySubjects(entry) });
  }
  return { alertIds, entries };
}

module.exports = { AGENCIES, factsOf, factSources, factState, serviceEntries };
