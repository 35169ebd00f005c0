import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CorrelationNotice, renderNotice } from './correlation-record';
import { Identifier, IdentifierKind } from '@hub/contracts/domain/identifiers';

export interface CorrelationView {
  cursor: string;
  correlationId: string;
  foundAt: string;
  /** the alert whose arrival found the match, and its version */
  alertId: string;
  version: number;
  sender: string;
  /** null when an alert involved is withheld from the centre: analysts then see who, not what */
  identifier: Identifier | null;
  withheldFromCentre: boolean;
  alerts: { alertId: string; agencyId: string }[];
  agencies: string[];
  restricted: boolean;
  notices: (CorrelationNotice & { text: string })[];
}

interface CorrelationRow {
  id: string;
  correlation_id: string;
  found_at: Date;
  alert_id: string;
  version: number;
  sender: string;
  identifier_kind: IdentifierKind;
  identifier_key: string;
  alerts: { alertId: string; agencyId: string }[];
  agencies: string[];
  restricted: boolean;
  withheld_from_centre: boolean;
  notices: CorrelationNotice[];
}

/** The analysts' view of recorded correlations, newest first. */
@Injectable()
export class CorrelationQueries {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(filter: {
    before?: string;
    limit: number;
    alertId?: string;
    agency?: string;
  }): Promise<{ items: CorrelationView[]; nextCursor: string | null }> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.before) conditions.push(`id < $${params.push(filter.before)}`);
    if (filter.alertId) conditions.push(`alert_ids @> ARRAY[$${params.push(filter.alertId)}]::text[]`);
    if (filter.agency) conditions.push(`agencies @> ARRAY[$${params.push(filter.agency)}]::text[]`);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows: CorrelationRow[] = await this.dataSource.query(
      `SELECT * FROM coordination.correlations ${where} ORDER BY id DESC LIMIT $${params.push(filter.limit)}`,
      params,
    );
    const items = rows.map(toView);
    return { items, nextCursor: rows.length === filter.limit ? items[items.length - 1].cursor : null };
  }
}

function toView(row: CorrelationRow): CorrelationView {
  // 'erased:<keyed hash>' once an alert it names was erased: the link stays, the identifier does not.
  const identifier =
    row.withheld_from_centre || row.identifier_key.startsWith('erased:')
      ? null
      : { kind: row.identifier_kind, key: row.identifier_key };
  return {
    cursor: String(row.id),
    correlationId: row.correlation_id,
    foundAt: row.found_at.toISOString(),
    alertId: row.alert_id,
    version: row.version,
    sender: row.sender,
    identifier,
    withheldFromCentre: row.withheld_from_centre,
    alerts: row.alerts,
    agencies: row.agencies,
    restricted: row.restricted,
    notices: row.notices.map((notice) => ({ ...notice, text: renderNotice(notice, identifier) })),
  };
}
