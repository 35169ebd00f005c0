import { randomUUID } from 'node:crypto';
import { SpawnSyncReturns } from 'node:child_process';
import { Admin, Kafka } from 'kafkajs';
import { Client } from 'pg';
import { DeadLetterHeader, Topic } from '@hub/contracts/topics';
import { createClient } from '../bench/http';
import { DATABASE_URL, DRAIN_LIMIT_MS, log, until } from './common';
import type { Poison } from './faults';
import type { ChaosAgency, ExpectedDelivery, Load } from './load';

type HttpClient = ReturnType<typeof createClient>;
type InboxItem = { alertId: string; version: number; kind: string };

export interface InvariantInputs {
  load: Load;
  agencies: ChaosAgency[];
  gateways: string[];
  poisons: Poison[];
  kafka: Kafka;
  kafkaAdmin: Admin;
  /** `main.js verify` of the audit log with these extra arguments. */
  verify(extra: string[]): SpawnSyncReturns<string>;
  checkpointFile: string;
}

/** What the hub promised, checked after the faults; returns the failures (none: every invariant holds). */
export async function checkInvariants(inputs: InvariantInputs): Promise<string[]> {
  const failures: string[] = [];
  const fail = (line: string) => {
    failures.push(line);
    log(`INVARIANT FAILED: ${line}`);
  };
  const client = createClient(inputs.gateways[0]);
  try {
    await checkDeliveries(inputs, client, fail);
    await checkRetries(inputs, client, fail);
  } finally {
    client.close();
  }
  await checkAuditFacts(inputs, fail);
  checkVerify(inputs, fail);
  await checkDeadLetters(inputs, fail);
  return failures;
}

async function readInbox(client: HttpClient, agency: ChaosAgency): Promise<InboxItem[]> {
  const items: InboxItem[] = [];
  let cursor = '0';
  for (;;) {
    const page = await client.request('GET', `/v1/inbox?after=${cursor}&limit=500`, { key: agency.key });
    if (page.status !== 200) throw new Error(`inbox ${agency.id}: ${page.status}`);
    items.push(...(page.body.items as InboxItem[]).filter((i) => ['alert', 'update', 'cancel'].includes(i.kind)));
    if (page.body.items.length < 500) return items;
    cursor = page.body.nextCursor;
  }
}

/** 1. Exactly once per entitled recipient, nothing to anyone else (inboxes and streams). */
async function checkDeliveries(
  { load, agencies }: InvariantInputs,
  client: HttpClient,
  fail: (line: string) => void,
): Promise<void> {
  const expected = load.expected();
  let inboxes = new Map<string, InboxItem[]>();
  const holds = (d: ExpectedDelivery) =>
    (inboxes.get(d.recipient) ?? []).some((i) => i.alertId === d.alertId && i.version === d.version);
  const complete = await until(
    async () => {
      inboxes = new Map();
      for (const agency of agencies) inboxes.set(agency.id, await readInbox(client, agency));
      return expected.every(holds);
    },
    { timeoutMs: DRAIN_LIMIT_MS, intervalMs: 3000 },
  );
  if (!complete) {
    const missing = expected.filter((d) => !holds(d));
    fail(
      `${missing.length} of ${expected.length} accepted deliveries never reached their recipient (first: ${JSON.stringify(missing.slice(0, 3))})`,
    );
  }
  for (const agency of agencies) {
    const counts = new Map<string, number>();
    for (const item of inboxes.get(agency.id) ?? []) {
      const alert = load.ledger.alerts.get(item.alertId);
      if (!alert || !alert.recipients.includes(agency.id))
        fail(`${agency.id} holds ${item.alertId} v${item.version}, which was not addressed to it`);
      else if (!alert.versions.some((v) => v.version === item.version))
        fail(`${agency.id} holds ${item.alertId} v${item.version}, a version no client was promised`);
      const k = `${item.alertId}:${item.version}`;
      counts.set(k, (counts.get(k) || 0) + 1);
    }
    const dup = [...counts.entries()].filter(([, n]) => n > 1);
    if (dup.length)
      fail(
        `${agency.id}: ${dup.length} alert versions delivered more than once (${dup
          .slice(0, 3)
          .map(([k]) => k)
          .join(', ')})`,
      );
  }
  for (const [id, seen] of load.ledger.streamed) {
    for (const key of seen) {
      const alert = load.ledger.alerts.get(key.split(':')[0]);
      if (alert && !alert.recipients.includes(id)) fail(`${id}'s stream showed ${key}, not addressed to it`);
    }
  }
}

function sortKeys(value: unknown): unknown {
  return value && typeof value === 'object'
    ? Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, (value as Record<string, unknown>)[k]]),
      )
    : value;
}

/** 2. Each retry returned the original 202. */
async function checkRetries(
  { load }: InvariantInputs,
  client: HttpClient,
  fail: (line: string) => void,
): Promise<void> {
  let mismatched = 0;
  for (const s of load.ledger.submissions) {
    const again = await client.request('POST', '/v1/alerts', {
      key: s.sender.key,
      body: s.body,
      headers: { 'idempotency-key': s.idempotencyKey },
    });
    if (again.status !== 202 || JSON.stringify(sortKeys(again.body)) !== JSON.stringify(sortKeys(s.response)))
      mismatched++;
  }
  if (mismatched)
    fail(
      `${mismatched} of ${load.ledger.submissions.length} submissions answered a retry with something other than the original 202`,
    );
}

const FACT_OF_VERSION = { alert: 'alert.submitted', update: 'alert.updated', cancel: 'alert.cancelled' } as const;

/** 3. Each audit fact exactly once. */
async function checkAuditFacts({ load }: InvariantInputs, fail: (line: string) => void): Promise<void> {
  const expected = load.expected();
  const ids = [...load.ledger.alerts.keys()];
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    const facts = (
      await db.query<{
        type: string;
        alert_id: string;
        version: number;
        recipient: string | null;
        actor_agency: string | null;
        n: number;
      }>(
        `SELECT type, alert_id, version, recipient, actor_agency, count(*)::int AS n FROM audit.entries
          WHERE alert_id = ANY($1::text[]) AND type IN ('alert.submitted','alert.updated','alert.cancelled','alert.delivered','alert.acked')
          GROUP BY 1, 2, 3, 4, 5`,
        [ids],
      )
    ).rows;
    const party = (f: (typeof facts)[number]) =>
      f.type === 'alert.delivered' ? f.recipient : f.type === 'alert.acked' ? f.actor_agency : '';
    const index = new Map(facts.map((f) => [`${f.type}|${f.alert_id}|${f.version}|${party(f)}`, f.n]));
    const want: string[] = [];
    for (const alert of load.ledger.alerts.values()) {
      for (const v of alert.versions) want.push(`${FACT_OF_VERSION[v.kind]}|${alert.alertId}|${v.version}|`);
    }
    for (const d of expected) want.push(`alert.delivered|${d.alertId}|${d.version}|${d.recipient}`);
    for (const a of load.ledger.acks) want.push(`alert.acked|${a.alertId}|${a.version}|${a.agency}`);
    const missing = want.filter((k) => !index.has(k));
    const doubled = [...index.entries()].filter(([, n]) => n > 1);
    const extra = [...index.keys()].filter((k) => !want.includes(k) && k.startsWith('alert.delivered'));
    if (missing.length)
      fail(`${missing.length} of ${want.length} audit facts missing (first: ${missing.slice(0, 3).join(', ')})`);
    if (doubled.length)
      fail(
        `${doubled.length} audit facts held more than once (first: ${doubled
          .slice(0, 3)
          .map(([k]) => k)
          .join(', ')})`,
      );
    if (extra.length) fail(`${extra.length} delivery facts for deliveries nobody was entitled to`);
    const [{ total, distinct }] = (
      await db.query<{ total: number; distinct: number }>(
        `SELECT count(*)::int AS total, count(DISTINCT event_id)::int AS distinct FROM audit.entries`,
      )
    ).rows;
    if (total !== distinct) fail(`${total - distinct} audit events appended twice`);
    log(`audit: ${want.length} expected facts checked, ${total} entries in the log`);
  } finally {
    await db.end();
  }
}

/** 4. verify against the checkpoint saved before the first fault. */
function checkVerify({ verify, checkpointFile }: InvariantInputs, fail: (line: string) => void): void {
  const verified = verify(['--checkpoint', checkpointFile]);
  if (verified.status !== 0)
    fail(`verify against the pre-fault checkpoint: ${verified.stdout.trim().split('\n').slice(-3).join(' / ')}`);
  else log(`verify: ${verified.stdout.trim().split('\n').pop()}`);
}

/** 5. Poison messages dead-lettered with their origin; their partitions moved on; nothing good dead-lettered. */
async function checkDeadLetters(
  { poisons, kafka, kafkaAdmin }: InvariantInputs,
  fail: (line: string) => void,
): Promise<void> {
  const deadLetters = await readTopic(kafka, Topic.DeadLetter);
  for (const poison of poisons) {
    const found = deadLetters.filter(
      (r) =>
        r.headers[DeadLetterHeader.Topic] === poison.topic &&
        r.headers[DeadLetterHeader.Offset] === String(poison.offset),
    );
    if (found.length === 0)
      fail(`poison ${poison.topic}@${poison.offset} is not on the dead-letter topic with its origin`);
    const groups = (await kafkaAdmin.listGroups()).groups.map((g) => g.groupId);
    let consumers = 0;
    for (const groupId of groups) {
      const [offsets] = await kafkaAdmin.fetchOffsets({ groupId, topics: [poison.topic] });
      const committed = offsets ? offsets.partitions.find((p) => p.partition === poison.partition) : null;
      if (!committed || Number(committed.offset) < 0) continue;
      consumers++;
      if (Number(committed.offset) <= Number(poison.offset))
        fail(
          `group ${groupId} is still at ${committed.offset} on ${poison.topic}/${poison.partition}, behind the poison at ${poison.offset}`,
        );
    }
    if (consumers === 0) fail(`no consumer group committed past ${poison.topic}/${poison.partition}`);
  }
  const wrongly = deadLetters.filter((r) => !r.value.includes('chaos poison'));
  if (wrongly.length)
    fail(
      `${wrongly.length} good messages were dead-lettered (first from ${wrongly[0].headers[DeadLetterHeader.Topic]}: ${wrongly[0].headers[DeadLetterHeader.Error]})`,
    );
  log(`dead letters: ${deadLetters.length} (poison messages: ${poisons.length})`);
}

/** Every record of `topic`, from the beginning to its end now. */
async function readTopic(kafka: Kafka, topic: string): Promise<{ value: string; headers: Record<string, string> }[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const records: { value: string; headers: Record<string, string> }[] = [];
  const remaining = new Map(
    offsets.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]),
  );
  if (remaining.size === 0) return records;
  const consumer = kafka.consumer({ groupId: `chaos-reader-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers || {})) headers[name] = String(value);
          records.push({ value: message.value ? message.value.toString() : '', headers });
          if (Number(message.offset) >= (remaining.get(partition) ?? 0) - 1) remaining.delete(partition);
          if (remaining.size === 0) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return records;
}
