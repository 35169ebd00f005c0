/** The shapes of the analyst API's answers that the dashboard reads (see docs/contract.md). */

/** One exchange event of GET /v1/feed and /v1/feed/stream. RED and AMBER+STRICT content is left out (redacted). */
export interface FeedEntry {
  cursor: string;
  type: string;
  at: string;
  alertId?: string;
  version?: number;
  sender?: string;
  recipient?: string;
  recipients?: string[];
  actor?: { agencyId?: string };
  category?: string;
  tlp?: string;
  redacted?: boolean;
  alert?: { headline?: string };
  cancelReason?: string;
  decision?: string;
  reason?: string;
  kind?: string;
  ack?: { status?: string; note?: string; noteCommitment?: string };
  correlation?: { agencies: string[]; identifier?: Identifier };
}

export interface Identifier {
  kind: string;
  key: string;
}

export interface VolumeRow {
  lastHour: number;
  last24h: number;
  total: number;
  [label: string]: string | number;
}

export interface Stats {
  generatedAt: string;
  windows: {
    last24h: { alertsSubmitted: number; deliveries: number; acks: number; correlations: number; deadLettered: number };
  };
  byCountry: VolumeRow[];
  byCategory: VolumeRow[];
  unacknowledged: {
    total: number;
    oldest: {
      alertId: string;
      version: number;
      sender: string;
      recipient: string;
      ageSeconds: number;
      redacted?: boolean;
      tlp?: string;
      headline?: string;
      category?: string;
    }[];
  };
}

export interface Correlation {
  correlationId: string;
  foundAt: string;
  identifier?: Identifier;
  agencies: string[];
  alerts: { agencyId: string; alertId: string }[];
  restricted: boolean;
  notices: { agencyId: string; text: string }[];
  /** a person correlation: how each alert wrote the person (only when the centre may see every alert) */
  writtenForms?: { alertId: string; agencyId: string; fullName: string; dateOfBirth: string }[];
}

export interface CorrelationPage {
  items: Correlation[];
  nextCursor?: string | null;
}

export type ChartPeriod = '7d' | '24h';
export type AgeBucket = 'lt1h' | '1h-6h' | '6h-24h' | '1d-7d' | 'gt7d';

/** One state's (or the regional centre's) counts, one per bucket or per age. */
export interface PartySeries {
  party: string;
  counts: number[];
}

/** GET /v1/stats/charts: counts by state for the dashboard's charts. */
export interface ChartsData {
  generatedAt: string;
  period: ChartPeriod;
  timeZone: string;
  buckets: string[];
  alertsByState: PartySeries[];
  correlations: number[];
  flows: { from: string; to: string; deliveries: number }[];
  unacknowledged: { ages: string[]; byRecipient: PartySeries[]; total: number };
}

/** GET /v1/rooms: an operation room as metadata (apps/coordination-node/src/rooms). */
export interface RoomOverview {
  roomId: string;
  name: string | null;
  members: string[];
  state: 'open' | 'closed';
  closesAt: string;
  messageCount: number;
  lastActivityAt: string | null;
  centreIsMember: boolean;
}
