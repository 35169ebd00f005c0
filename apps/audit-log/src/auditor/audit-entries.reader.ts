import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SqlRunner } from '@hub/database/sql-runner';
import { HubError } from '@hub/platform/errors';
import { EntriesQuery, EntryFilterQuery, MAX_PAGE_SIZE, PageQuery } from './dto/auditor.queries';
import { AuditEntryView, entryView, StoredEntryRow } from './entry-view';

const DEFAULT_PAGE_SIZE = 100;

export interface EntryPage {
  items: AuditEntryView[];
  /** Pass as `after` for the next page; null once the end of the log (for this filter) was reached. */
  nextCursor: string | null;
}

export interface EntryPageRequest {
  filter: EntryFilterQuery;
  /** Entries with a larger seq. */
  afterSeq?: number;
  /** Entries with a smaller seq (an export stops at the tree size it started with). */
  beforeSeq?: number;
  limit: number;
}

/** Keyset pages over the entries in log order: each page is one indexed query, however far into the log. */
@Injectable()
export class AuditEntriesReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async entriesPage(query: EntriesQuery): Promise<EntryPage> {
    assertTimeRange(query);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.page({
      filter: query,
      afterSeq: query.after === undefined ? undefined : Number(query.after),
      limit,
    });
    const items = rows.map(entryView);
    return { items, nextCursor: items.length === limit ? String(items[items.length - 1].seq) : null };
  }

  /**
   * The entries about one alert, in log order, one page at a time (an alert read by many agencies many times has
   * a long trail; a page is bounded, so no alert can exhaust the service's heap). Includes the facts that name the
   * alert among others (a routing outcome, an inbox page).
   */
  async trail(alertId: string, query: PageQuery = {}): Promise<EntryPage> {
    const limit = query.limit ?? MAX_PAGE_SIZE;
    const rows = await this.page({
      filter: { alertId },
      afterSeq: query.after === undefined ? undefined : Number(query.after),
      limit,
    });
    const items = rows.map(entryView);
    return { items, nextCursor: items.length === limit ? String(items[items.length - 1].seq) : null };
  }

  async page(request: EntryPageRequest): Promise<StoredEntryRow[]> {
    return readEntryPage(this.dataSource, request);
  }
}

/**
 * One page: the entries, and — for a chunk of the whole log (export, verify) — their leaf hashes read as a range of
 * their own and matched by seq, so neither read joins the other (see entryPageSql).
 */
export async function readEntryPage(
  db: SqlRunner,
  request: EntryPageRequest,
  schema = 'audit',
): Promise<StoredEntryRow[]> {
  const { sql, params, leafHashes } = entryPageSql(request, schema);
  if (!leafHashes) return db.query(sql, params);
  const [rows, hashes]: [Omit<StoredEntryRow, 'leaf_hash'>[], { seq: string; hash: Buffer }[]] = await Promise.all([
    db.query(sql, params),
    db.query(leafHashes.sql, leafHashes.params),
  ]);
  const bySeq = new Map(hashes.map((row) => [row.seq, row.hash]));
  return rows
    .map((row) => ({ ...row, leaf_hash: bySeq.get(row.seq) ?? null }))
    .sort((a, b) => Number(a.seq) - Number(b.seq));
}

/**
 * The SQL of one keyset page, shaped so that its cost does not depend on the planner's statistics (a log read
 * before autoanalyze had run took 127 s to export instead of 14 s: the page joined merkle_nodes, and with a row
 * estimate far too low the plan scanned and sorted the whole rest of the log for every chunk):
 * - a page without a filter is a bounded range of seq (seq is dense: the `limit` entries after `after` are exactly
 *   the seqs after+1 … after+limit), so the scan is bounded whatever the planner thinks the table holds; its leaf
 *   hashes are the same range of merkle_nodes' primary key, read by a second statement (`leafHashes`): with a
 *   lookup per row, a never-analysed merkle_nodes made each lookup a bitmap scan and the export 1.7 times slower
 *   than after ANALYZE (BENCHMARKS.md, 1M entries written through the services);
 * - on a filtered page the leaf hash is a scalar subquery, one primary-key lookup per row of the page.
 * `schema` is for the plan test, which runs the same SQL over a copy without statistics.
 */
export function entryPageSql(
  { filter, afterSeq, beforeSeq, limit }: EntryPageRequest,
  schema = 'audit',
): { sql: string; params: unknown[]; leafHashes?: { sql: string; params: unknown[] } } {
  const params: unknown[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const common: string[] = [];
  if (filter.type !== undefined) common.push(`e.type = ${bind(filter.type)}`);
  if (filter.from !== undefined) common.push(`e.at >= ${bind(filter.from)}::timestamptz`);
  if (filter.to !== undefined) common.push(`e.at < ${bind(filter.to)}::timestamptz`);
  const after = afterSeq ?? -1;
  const bySubject = filter.alertId !== undefined || filter.agency !== undefined;
  if (afterSeq !== undefined || common.length === 0 || bySubject) common.push(`e.seq > ${bind(String(after))}`);
  if (beforeSeq !== undefined) common.push(`e.seq < ${bind(String(beforeSeq))}`);
  // No filter at all: the next `limit` seqs exactly (seq is dense), and their leaf hashes as the same range.
  if (!bySubject && filter.type === undefined && filter.from === undefined && filter.to === undefined) {
    const last = beforeSeq === undefined ? after + limit : Math.min(after + limit, beforeSeq - 1);
    common.push(`e.seq <= ${bind(String(after + limit))}`);
    return {
      // No ORDER BY (readEntryPage orders the chunk): with no statistics the planner read the range as a bitmap scan
      // and sorted it, 1.3 times slower than the index scan it chose after ANALYZE; unordered, either plan is one pass.
      sql: `SELECT e.seq::text AS seq, e.entry FROM ${schema}.entries e WHERE ${common.join(' AND ')}`,
      params,
      leafHashes: {
        sql: `SELECT n.idx::text AS seq, n.hash FROM ${schema}.merkle_nodes n WHERE n.level = 0 AND n.idx > $1 AND n.idx <= $2`,
        params: [String(after), String(last)],
      },
    };
  }
  const take = bind(limit);
  const leafHash = `(SELECT n.hash FROM ${schema}.merkle_nodes n WHERE n.level = 0 AND n.idx = e.seq) AS leaf_hash`;

  if (!bySubject) {
    return {
      sql: `SELECT e.seq::text AS seq, e.entry, ${leafHash} FROM ${schema}.entries e WHERE ${common.join(' AND ')} ORDER BY e.seq LIMIT ${take}`,
      params,
    };
  }

  // By alert or agency: each place a fact can name it is its own indexed branch (an OR across them made the
  // planner scan the whole log: 300 ms per trail page at 1M entries), each branch takes its first `limit` matches,
  // and the union's first `limit` are the page. Facts naming several subjects are found through entry_subjects.
  const branches: string[] = [];
  const where = (...conditions: string[]) => [...conditions, ...common].join(' AND ');
  const viaSubjects = (column: 'alert_id' | 'agency', value: string, extra: string[] = []) =>
    `(SELECT s.seq FROM ${schema}.entry_subjects s JOIN ${schema}.entries e ON e.seq = s.seq
      WHERE ${where(`s.${column} = ${value}`, ...extra)} ORDER BY s.seq LIMIT ${take})`;
  if (filter.alertId !== undefined) {
    const alertId = bind(filter.alertId);
    // With an agency too, the alert's own entries are few: the agency is checked on them.
    const agencyToo: string[] = [];
    if (filter.agency !== undefined) {
      const agency = bind(filter.agency);
      agencyToo.push(
        `(e.actor_agency = ${agency} OR e.recipient = ${agency} OR EXISTS (SELECT 1 FROM ${schema}.entry_subjects t WHERE t.seq = e.seq AND t.agency = ${agency}))`,
      );
    }
    branches.push(
      `(SELECT e.seq FROM ${schema}.entries e WHERE ${where(`e.alert_id = ${alertId}`, ...agencyToo)} ORDER BY e.seq LIMIT ${take})`,
    );
    branches.push(viaSubjects('alert_id', alertId, agencyToo));
  } else {
    const agency = bind(filter.agency);
    branches.push(
      `(SELECT e.seq FROM ${schema}.entries e WHERE ${where(`e.actor_agency = ${agency}`)} ORDER BY e.seq LIMIT ${take})`,
    );
    branches.push(
      `(SELECT e.seq FROM ${schema}.entries e WHERE ${where(`e.recipient = ${agency}`)} ORDER BY e.seq LIMIT ${take})`,
    );
    branches.push(viaSubjects('agency', agency));
  }
  return {
    sql: `SELECT e.seq::text AS seq, e.entry, ${leafHash}
          FROM (${branches.join(' UNION ')}) page JOIN ${schema}.entries e ON e.seq = page.seq
          ORDER BY e.seq LIMIT ${take}`,
    params,
  };
}

export function assertTimeRange(filter: EntryFilterQuery): void {
  if (filter.from !== undefined && filter.to !== undefined && Date.parse(filter.from) > Date.parse(filter.to)) {
    throw HubError.validation([{ path: 'to', message: 'must not be earlier than from' }]);
  }
}
