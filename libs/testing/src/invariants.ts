import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { Topic } from '@hub/contracts/topics';
import { expectEventually } from './eventually';
import { inbox } from './hub-fixtures';
import { queryDatabase } from './database';
import { testEnvironment } from './environment';
import { testKafka } from './kafka';
import { api } from './http';
import type { Accepted } from './load';

/**
 * The delivery guarantees of PRODUCT.md, checked after a load has run through faults (database, service, broker):
 * from the recipient's inbox, the audit log, the dead-letter topic and the clients' own records.
 */
/** Fails the calling test with `message` (plain throws: this library is also compiled with the apps, without jest's globals). */
function mustHold(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}

const kafka = () => testKafka('invariants');

export async function deadLetterHighWatermark(): Promise<number> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    const [partition] = await admin.fetchTopicOffsets(Topic.DeadLetter);
    return Number(partition.high);
  } finally {
    await admin.disconnect();
  }
}

/** The dead-letter records written from offset `from` on: value and headers as text. */
export async function deadLettersSince(from: number): Promise<{ value: string; headers: Record<string, string> }[]> {
  const high = await deadLetterHighWatermark();
  if (high <= from) return [];
  const records: { value: string; headers: Record<string, string> }[] = [];
  const consumer = kafka().consumer({ groupId: `invariants-reader-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: Topic.DeadLetter, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          const offset = Number(message.offset);
          if (offset >= from) {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
            records.push({ value: message.value?.toString() ?? '', headers });
          }
          if (offset >= high - 1) resolve();
        },
      })
      .catch(reject);
    consumer.seek({ topic: Topic.DeadLetter, partition: 0, offset: String(from) });
  });
  await consumer.disconnect();
  return records;
}

/** Nothing of these agencies' exchange was dead-lettered since `from`: every failure was waited out. */
export async function expectNothingDeadLettered(from: number, agencyIds: string[]): Promise<void> {
  const dead = await deadLettersSince(from);
  const good = dead.filter((record) => agencyIds.some((id) => record.value.includes(id)));
  mustHold(good.length === 0, () => `${good.length} good messages dead-lettered: ${JSON.stringify(good.slice(0, 3))}`);
}

/**
 * Every accepted alert reached the recipient's inbox exactly once (none lost, none duplicated, nothing else from
 * the sender), and the audit log holds each fact the exchange must produce exactly once: the submission, the
 * routing decision for the recipient, the delivery.
 */
export async function expectEverythingDelivered(
  accepted: Accepted[],
  recipient: { key: string; id: string },
  senderId: string,
): Promise<void> {
  const alertIds = accepted.map((a) => a.alertId);
  mustHold(new Set(alertIds).size === alertIds.length, () => 'two submissions were given the same alertId');
  await expectEventually(
    async () => {
      const items = await inbox(recipient.key);
      const delivered = new Set(items.map((item) => item.alertId));
      const missing = alertIds.filter((id) => !delivered.has(id));
      if (missing.length > 0)
        throw new Error(`${missing.length} of ${alertIds.length} accepted alerts not delivered yet`);
      return true;
    },
    { timeoutMs: 120_000, intervalMs: 1000, description: 'every accepted alert delivered' },
  );
  const items = (await inbox(recipient.key)).filter((item) => item.sender === senderId);
  mustHold(
    items.length === alertIds.length,
    () => `${items.length} inbox items for ${alertIds.length} accepted alerts (duplicates or strays)`,
  );
  mustHold(new Set(items.map((item) => item.alertId)).size === alertIds.length, () => 'an alert delivered twice');

  // The facts the load must have produced, each exactly once per accepted alert: the submission, the routing
  // outcome (one per version, naming the recipient as delivered) and the delivery.
  const facts = await expectEventually(
    async () => {
      const rows = await queryDatabase<{ alert_id: string; type: string; n: number }>(
        `SELECT alert_id, type, count(*)::int AS n FROM audit.entries
          WHERE alert_id = ANY($1::text[]) AND type IN ('alert.submitted', 'routing.decided', 'alert.delivered')
          GROUP BY alert_id, type`,
        [alertIds],
      );
      if (rows.length < alertIds.length * 3)
        throw new Error(`${rows.length} of ${alertIds.length * 3} audit facts in the log`);
      return rows;
    },
    { timeoutMs: 120_000, intervalMs: 1000, description: 'every audit fact of the load in the log' },
  );
  const doubled = facts.filter((row) => row.n !== 1);
  mustHold(doubled.length === 0, () => `audit facts held more than once: ${JSON.stringify(doubled.slice(0, 5))}`);
  const [{ routedToRecipient }] = await queryDatabase<{ routedToRecipient: number }>(
    `SELECT count(DISTINCT e.alert_id)::int AS "routedToRecipient" FROM audit.entries e JOIN audit.entry_subjects s ON s.seq = e.seq
      WHERE e.type = 'routing.decided' AND e.alert_id = ANY($1::text[]) AND s.agency = $2 AND s.decision = 'delivered'`,
    [alertIds, recipient.id],
  );
  mustHold(
    routedToRecipient === alertIds.length,
    () => `${routedToRecipient} of ${alertIds.length} routing facts name the recipient as delivered`,
  );
}

/**
 * A client that retries (same Idempotency-Key, same body) is always given the original 202, never a second alert:
 * replays every accepted submission and compares the answer with the first 202 the client got.
 */
export async function expectRetriesReturnOriginal(senderKey: string, accepted: Accepted[]): Promise<void> {
  const mismatches: string[] = [];
  for (const submission of accepted) {
    const again = await api(testEnvironment().gateway, 'POST', '/v1/alerts', {
      key: senderKey,
      body: submission.body,
      headers: { 'idempotency-key': submission.idempotencyKey },
    });
    // Through JSON both ways: fetch's json() builds objects of another realm than jest's, which strict equality tells apart.
    if (
      again.status !== 202 ||
      !isDeepStrictEqual(JSON.parse(JSON.stringify(again.body)), JSON.parse(JSON.stringify(submission.response)))
    ) {
      mismatches.push(
        `${submission.idempotencyKey}: ${again.status} ${JSON.stringify(again.body)} ≠ ${JSON.stringify(submission.response)}`,
      );
    }
  }
  mustHold(
    mismatches.length === 0,
    () => `${mismatches.length} retries not answered with the original 202:\n${mismatches.slice(0, 5).join('\n')}`,
  );
}

/** Waits until the load has `more` further submissions accepted: the hub accepts again after a fault. */
export async function awaitMoreAccepted(
  load: { acceptedSoFar: () => number },
  more: number,
  description: string,
): Promise<void> {
  const target = load.acceptedSoFar() + more;
  await expectEventually(() => load.acceptedSoFar() >= target, { timeoutMs: 120_000, intervalMs: 250, description });
}
