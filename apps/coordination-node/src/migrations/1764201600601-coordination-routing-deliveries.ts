import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Set-based routing (docs/decisions/009-hot-path.md, "Decision — set-based routing"). The node stored one row per
 * *candidate* agency and version (8 per alert in the benchmark, 50 with 50 agencies), though only delivered rows are
 * ever read by the node itself (recall, the chase list, correlation). Now:
 * - `routing_deliveries`: one row per delivered (alert, version, recipient) — the former table, its withheld rows gone;
 * - `routing_withheld`: one row per version that withheld anyone, the withheld agencies grouped by reason, exactly as the
 *   version's routing fact names them (the audit log holds the proof; this is the node's own record of it);
 * - the view `routing_decisions` joins the two back into one row per candidate, for people and tests reading the record.
 * Existing withheld rows are moved, not deleted: the node's record of every decision stays complete.
 * `routing_claims_complete` lets the routing statement undo itself when a concurrent batch (two replicas during a
 * rebalance) claimed one of its messages first (see RoutingRepository.write).
 */
export class CoordinationRoutingDeliveries1764201600601 implements MigrationInterface {
  name = 'CoordinationRoutingDeliveries1764201600601';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE coordination.routing_withheld (
      alert_id uuid NOT NULL,
      version int NOT NULL,
      sender text NOT NULL,
      kind text NOT NULL,
      withheld jsonb NOT NULL,
      decided_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (alert_id, version)
    )`);
    await q.query(`INSERT INTO coordination.routing_withheld (alert_id, version, sender, kind, withheld, decided_at)
      SELECT alert_id, version, min(sender), min(kind), jsonb_agg(jsonb_build_object('reason', reason, 'agencies', agencies) ORDER BY reason), min(decided_at)
      FROM (
        SELECT alert_id, version, min(sender) AS sender, min(kind) AS kind, reason, jsonb_agg(recipient ORDER BY recipient) AS agencies, min(decided_at) AS decided_at
        FROM coordination.routing_decisions WHERE decision = 'withheld'
        GROUP BY alert_id, version, reason
      ) w
      GROUP BY alert_id, version`);
    await q.query(`DELETE FROM coordination.routing_decisions WHERE decision = 'withheld'`);
    // Drops the partial index routing_decisions_latest_delivered with the column it filtered on.
    await q.query(`ALTER TABLE coordination.routing_decisions DROP COLUMN decision`);
    await q.query(`ALTER TABLE coordination.routing_decisions ALTER COLUMN delivery_id SET NOT NULL`);
    await q.query(`ALTER TABLE coordination.routing_decisions RENAME TO routing_deliveries`);
    await q.query(`ALTER INDEX coordination.routing_decisions_pkey RENAME TO routing_deliveries_pkey`);
    // Recall, the chase list and correlation read each (alert, recipient)'s latest delivery.
    await q.query(
      `CREATE INDEX routing_deliveries_latest ON coordination.routing_deliveries (alert_id, recipient, version DESC)`,
    );
    await q.query(`CREATE VIEW coordination.routing_decisions AS
      SELECT alert_id, version, recipient, sender, kind, 'delivered'::text AS decision, reason, delivery_id, decided_at
      FROM coordination.routing_deliveries
      UNION ALL
      SELECT w.alert_id, w.version, a.agency, w.sender, w.kind, 'withheld'::text, r.outcome->>'reason', NULL::uuid, w.decided_at
      FROM coordination.routing_withheld w
      CROSS JOIN LATERAL jsonb_array_elements(w.withheld) AS r(outcome)
      CROSS JOIN LATERAL jsonb_array_elements_text(r.outcome->'agencies') AS a(agency)`);
    await q.query(`CREATE FUNCTION coordination.routing_claims_complete(claimed bigint, expected int) RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        IF claimed <> expected THEN
          RAISE EXCEPTION 'routing: % of % messages were claimed by a concurrent batch', expected - claimed, expected USING ERRCODE = '40001';
        END IF;
        RETURN true;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION coordination.routing_claims_complete(bigint, int)`);
    await q.query(`DROP VIEW coordination.routing_decisions`);
    await q.query(`DROP INDEX coordination.routing_deliveries_latest`);
    await q.query(`ALTER TABLE coordination.routing_deliveries RENAME TO routing_decisions`);
    await q.query(`ALTER INDEX coordination.routing_deliveries_pkey RENAME TO routing_decisions_pkey`);
    await q.query(`ALTER TABLE coordination.routing_decisions ALTER COLUMN delivery_id DROP NOT NULL`);
    await q.query(
      `ALTER TABLE coordination.routing_decisions ADD COLUMN decision text NOT NULL DEFAULT 'delivered' CHECK (decision IN ('delivered', 'withheld'))`,
    );
    await q.query(`ALTER TABLE coordination.routing_decisions ALTER COLUMN decision DROP DEFAULT`);
    await q.query(`INSERT INTO coordination.routing_decisions (alert_id, version, recipient, sender, kind, decision, reason, delivery_id, decided_at)
      SELECT w.alert_id, w.version, a.agency, w.sender, w.kind, 'withheld', r.outcome->>'reason', NULL, w.decided_at
      FROM coordination.routing_withheld w
      CROSS JOIN LATERAL jsonb_array_elements(w.withheld) AS r(outcome)
      CROSS JOIN LATERAL jsonb_array_elements_text(r.outcome->'agencies') AS a(agency)`);
    await q.query(
      `CREATE INDEX routing_decisions_latest_delivered ON coordination.routing_decisions (alert_id, recipient, version DESC) WHERE decision = 'delivered'`,
    );
    await q.query(`DROP TABLE coordination.routing_withheld`);
  }
}
