'use strict';
/**
 * The audit log as the end-to-end run sees it: is it built (an entries table in the audit schema after the
 * audit-log migrations), how many entries it holds, and how many audit events the services have produced
 * (the end offsets of the per-service audit topics on the bench broker) — the run waits until the first reaches the second.
 */
const { AUDIT_TOPICS } = require('@hub/contracts/topics');
const { kafkaClientConfig } = require('@hub/testing/local-hub');

async function auditProbe({ pg, brokers }) {
  const { rows } = await pg.query(
    `SELECT table_name FROM information_schema.columns
     WHERE table_schema = 'audit' AND column_name = 'seq' ORDER BY (table_name = 'entries') DESC, table_name`,
  );
  if (rows.length === 0) {
    return { available: false, reason: 'no entries table in the audit schema after the audit-log migrations' };
  }
  const table = `audit."${rows[0].table_name}"`;
  const { Kafka, logLevel } = require('kafkajs');
  const admin = new Kafka({ clientId: 'bench-audit-probe', ...kafkaClientConfig(brokers), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const probe = {
    available: true,
    table,
    /** Entries appended so far (seq is contiguous from 0). */
    async count() {
      const result = await pg.query(`SELECT coalesce(max(seq) + 1, 0)::bigint AS n FROM ${table}`);
      return Number(result.rows[0].n);
    },
    /** Audit events produced so far by every service. */
    async expectedTotal() {
      let total = 0;
      for (const topic of AUDIT_TOPICS) {
        const offsets = await admin.fetchTopicOffsets(topic);
        total += offsets.reduce((acc, p) => acc + Number(p.high) - Number(p.low), 0);
      }
      return total;
    },
    /** Polls until `target` entries are appended, the deadline passes, or nothing moves for 15 s. */
    async waitFor(target, deadline) {
      let count = await probe.count();
      let lastChange = Date.now();
      while (count < target && Date.now() < deadline && Date.now() - lastChange < 15000) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const next = await probe.count();
        if (next !== count) lastChange = Date.now();
        count = next;
      }
      return { ok: count >= target, count };
    },
    close: () => admin.disconnect().catch(() => undefined),
  };
  return probe;
}

module.exports = { auditProbe };
