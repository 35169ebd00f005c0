/**
 * The dashboard's charts as numbers: pure functions that turn the node's counts (by agency and time bucket) into the
 * series the page draws, by state. Kept apart from the SQL (charts.service.ts) so that the grouping has unit tests.
 */

/** The two periods the charts show: the last 7 days by day, or the last 24 hours by hour, in the reader's zone. */
export const CHART_PERIODS = {
  '7d': { unit: 'day', buckets: 7, label: 'YYYY-MM-DD' },
  '24h': { unit: 'hour', buckets: 24, label: 'YYYY-MM-DD"T"HH24:00' },
} as const;
export type ChartPeriod = keyof typeof CHART_PERIODS;

/** Ages of unacknowledged deliveries: under 1 h, 1–6 h, 6–24 h, 1–7 days, older (the names the page shows). */
export const AGE_LIMITS_SECONDS = [3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600] as const;
export const AGE_BUCKETS = ['lt1h', '1h-6h', '6h-24h', '1d-7d', 'gt7d'] as const;

/** What the node knows of an agency from the reference replica. */
export interface AgencyFacts {
  country: string | null;
  kind: string | null;
}

/**
 * The party an agency counts for in the charts: its state (ISO country code), except a regional centre, which is a
 * party of its own under its id (CARICC is in Almaty, but what reaches it is not what reaches Kazakhstan). An agency
 * the replica does not know counts for the "CC-" prefix of its id, else for itself.
 */
export function partyOf(agencyId: string, agencies: ReadonlyMap<string, AgencyFacts>): string {
  const facts = agencies.get(agencyId);
  if (facts?.kind === 'regional-centre') return agencyId;
  if (facts?.country) return facts.country;
  const prefix = /^([A-Z]{2})-/.exec(agencyId);
  return prefix ? prefix[1] : agencyId;
}

export interface Series {
  party: string;
  /** one count per bucket (or per age) */
  counts: number[];
}

/**
 * Counts by (agency, bucket) summed into one series per party, each with a count for every bucket; parties in
 * decreasing order of their total, then by name. Counts for a bucket not in the list are left out.
 */
export function seriesByParty(
  rows: readonly { agency: string; bucket: string | number; count: number }[],
  buckets: readonly (string | number)[],
  agencies: ReadonlyMap<string, AgencyFacts>,
): Series[] {
  const index = new Map(buckets.map((bucket, i) => [String(bucket), i]));
  const byParty = new Map<string, number[]>();
  for (const row of rows) {
    const i = index.get(String(row.bucket));
    if (i === undefined) continue;
    const party = partyOf(row.agency, agencies);
    const counts = byParty.get(party) ?? new Array<number>(buckets.length).fill(0);
    counts[i] += row.count;
    byParty.set(party, counts);
  }
  return orderByTotal([...byParty].map(([party, counts]) => ({ party, counts })));
}

export interface Flow {
  from: string;
  to: string;
  /** alerts delivered with content, once per alert and recipient agency */
  deliveries: number;
}

/**
 * Deliveries from one party to another: counts by (sender, recipient) agency summed by their parties, the largest
 * first. An alert sent by one state to two agencies of another counts twice (two deliveries); its updates do not.
 */
export function flowsByParty(
  rows: readonly { sender: string; recipient: string; deliveries: number }[],
  agencies: ReadonlyMap<string, AgencyFacts>,
): Flow[] {
  const sums = new Map<string, Flow>();
  for (const row of rows) {
    const from = partyOf(row.sender, agencies);
    const to = partyOf(row.recipient, agencies);
    const key = `${from}\n${to}`;
    const flow = sums.get(key) ?? { from, to, deliveries: 0 };
    flow.deliveries += row.deliveries;
    sums.set(key, flow);
  }
  return [...sums.values()].sort(
    (a, b) => b.deliveries - a.deliveries || a.from.localeCompare(b.from) || a.to.localeCompare(b.to),
  );
}

function orderByTotal(series: Series[]): Series[] {
  const total = (s: Series) => s.counts.reduce((sum, n) => sum + n, 0);
  return series.sort((a, b) => total(b) - total(a) || a.party.localeCompare(b.party));
}
