import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { HubError } from '@hub/platform/errors';
import { EntriesQuery, EntryFilterQuery, MAX_PAGE_SIZE } from './dto/auditor.queries';
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
    const rows = await this.page({ filter: query, afterSeq: query.after === undefined ? undefined : Number(query.after), limit });
    const items = rows.map(entryView);
    return { items, nextCursor: items.length === limit ? String(items[items.length - 1].seq) : null };
  }

  /** Every entry about one alert, in log order. */
  async trail(alertId: string): Promise<AuditEntryView[]> {
    const items: AuditEntryView[] = [];
    for (let afterSeq: number | undefined; ; ) {
      const rows = await this.page({ filter: { alertId }, afterSeq, limit: MAX_PAGE_SIZE });
      items.push(...rows.map(entryView));
      if (rows.length < MAX_PAGE_SIZE) return items;
      afterSeq = Number(rows[rows.length - 1].seq);
    }
  }

  async page({ filter, afterSeq, beforeSeq, limit }: EntryPageRequest): Promise<StoredEntryRow[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const bind = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.alertId !== undefined) conditions.push(`e.alert_id = ${bind(filter.alertId)}`);
    if (filter.agency !== undefined) {
      const agency = bind(filter.agency);
      conditions.push(`(e.actor_agency = ${agency} OR e.recipient = ${agency})`);
    }
    if (filter.type !== undefined) conditions.push(`e.type = ${bind(filter.type)}`);
    if (filter.from !== undefined) conditions.push(`e.at >= ${bind(filter.from)}::timestamptz`);
    if (filter.to !== undefined) conditions.push(`e.at < ${bind(filter.to)}::timestamptz`);
    if (afterSeq !== undefined) conditions.push(`e.seq > ${bind(String(afterSeq))}`);
    if (beforeSeq !== undefined) conditions.push(`e.seq < ${bind(String(beforeSeq))}`);
    return this.dataSource.query(
      `SELECT e.seq::text AS seq, e.entry, n.hash AS leaf_hash
       FROM audit.entries e
       LEFT JOIN audit.merkle_nodes n ON n.level = 0 AND n.idx = e.seq
       ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY e.seq
       LIMIT ${bind(limit)}`,
      params,
    );
  }
}

export function assertTimeRange(filter: EntryFilterQuery): void {
  if (filter.from !== undefined && filter.to !== undefined && Date.parse(filter.from) > Date.parse(filter.to)) {
    throw HubError.validation([{ path: 'to', message: 'must not be earlier than from' }]);
  }
}
