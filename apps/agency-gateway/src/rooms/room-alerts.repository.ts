import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SqlRunner } from '@hub/database/sql-runner';

/** One alert addressed to a room, as a member may see it: content only if it sent it or it was delivered to it. */
export interface RoomAlert {
  /** the room's list cursor (an update that still names the room comes again, later) */
  cursor: string;
  alertId: string;
  /** the current version for its sender; for a recipient the latest version delivered to it */
  version: number;
  sender: string;
  state: 'active' | 'cancelled';
  sentAt: string;
  headline: string | null;
  category: string | null;
  tlp: string | null;
  erased: boolean;
  erasedAt: string | null;
}

interface RoomAlertRow {
  seq: string;
  alert_id: string;
  version: number;
  sender: string;
  state: 'active' | 'cancelled';
  created_at: Date;
  headline: string | null;
  category: string | null;
  tlp: string | null;
  erased_at: Date | null;
}

/**
 * The alerts whose current version names the room (gateway.room_alerts, indexed by (room_id, seq)) that `agencyId`
 * sent or had delivered to it: its latest delivery of the alert (not a match or hit notice) must not be a withdrawal.
 * A member the node withheld (INACTIVE, for instance) has no delivery, so the alert is not listed for it at all.
 */
const ROOM_ALERTS_SQL = `
  SELECT ra.seq::text AS seq, a.alert_id::text AS alert_id, a.sender, a.state, a.created_at, a.erased_at,
         shown.version, v.content->>'headline' AS headline, v.content->>'category' AS category, v.content->>'tlp' AS tlp
  FROM gateway.room_alerts ra
  JOIN gateway.alerts a ON a.alert_id = ra.alert_id AND a.current_version = ra.version
  LEFT JOIN LATERAL (
    SELECT d.version, d.withdrawn FROM gateway.inbox d
    WHERE d.recipient = $2 AND d.alert_id = a.alert_id AND d.kind NOT IN ('match', 'hit')
    ORDER BY d.seq DESC LIMIT 1
  ) delivered ON a.sender <> $2
  CROSS JOIN LATERAL (SELECT CASE WHEN a.sender = $2 THEN a.current_version ELSE delivered.version END AS version) shown
  JOIN gateway.alert_versions v ON v.alert_id = a.alert_id AND v.version = shown.version
  WHERE ra.room_id = $1 AND ra.seq > $3 AND (a.sender = $2 OR delivered.withdrawn = false)
  ORDER BY ra.seq LIMIT $4`;

@Injectable()
export class RoomAlertsRepository {
  constructor(@InjectDataSource() private readonly db: SqlRunner) {}

  async page(roomId: string, agencyId: string, after: number, limit: number): Promise<RoomAlert[]> {
    const rows = await this.db.query<RoomAlertRow>(ROOM_ALERTS_SQL, [roomId, agencyId, after, limit]);
    return rows.map((row) => ({
      cursor: row.seq,
      alertId: row.alert_id,
      version: row.version,
      sender: row.sender,
      state: row.state,
      sentAt: row.created_at.toISOString(),
      headline: row.erased_at ? null : row.headline,
      category: row.erased_at ? null : row.category,
      tlp: row.erased_at ? null : row.tlp,
      erased: row.erased_at !== null,
      erasedAt: row.erased_at?.toISOString() ?? null,
    }));
  }
}
