/**
 * The audit log as the end-to-end run sees it: is it built (an entries table in the audit schema after the
 * audit-log migrations), how many entries it holds, and how many audit events the services have produced
 * (the end offsets of the per-service audit topics on the bench broker) — the run waits until the first reaches the second.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { AUDIT_TOPICS } from '@hub/contracts/topics';
import { kafkaClientConfig } from '@hub/testing/local-hub';

export type AuditProbe =
  | { available: false; reason: string }
  | {
      available: true;
      table: string;
      /** Entries appended so far (seq is contiguous from 0). */
      count(): Promise<number>;
      /** Audit events produced so far by every service. */
      expectedTotal(): Promise<number>;
      /** Polls until `target` entries are appended, the deadline passes, or nothing moves for 15 s. */
      waitFor(target: number, deadline: number): Promise<{ ok: boolean; count: number }>;
      close(): Promise<void>;
    };

export async function auditProbe({ pg, brokers }: { pg: Pool; brokers: string[] }): Promise<AuditProbe> {
  const { rows } = await pg.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns
     WHERE table_schema = 'audit' AND column_name = 'seq' ORDER BY (table_name = 'entries') DESC, table_name`,
  );
  if (rows.length === 0) {
    return { available: false, reason: 'no entries table in the audit schema after the audit-log migrations' };
  }
  const table = `audit."${rows[0].table_name}"`;
  const admin = new Kafka({
    clientId: 'bench-audit-probe',
    ...kafkaClientConfig(brokers),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  const count = async () => {
    const result = await pg.query<{ n: string }>(`SELECT coalesce(max(seq) + 1, 0)::bigint AS n FROM ${table}`);
    return Number(result.rows[0].n);
  };
  return {
    available: true,
    table,
    count,
    async expectedTotal() {
      let total = 0;
      for (const topic of AUDIT_TOPICS) {
        const offsets = await admin.fetchTopicOffsets(topic);
        total += offsets.reduce((acc, p) => acc + Number(p.high) - Number(p.low), 0);
      }
      return total;
    },
    async waitFor(target, deadline) {
      let current = await count();
      let lastChange = Date.now();
      while (current < target && Date.now() < deadline && Date.now() - lastChange < 15000) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const next = await count();
        if (next !== current) lastChange = Date.now();
        current = next;
      }
      return { ok: current >= target, count: current };
    },
    close: () => admin.disconnect().catch(() => undefined),
  };
}
