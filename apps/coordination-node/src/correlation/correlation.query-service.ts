import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CorrelationNotice, renderNotice } from './correlation-record';
import { Identifier, IdentifierKind } from '@hub/contracts/domain/identifiers';
import { personKey } from '@hub/contracts/domain/person-names';
import { identifierKeyHash } from '@hub/merkle/content-commitment';
import { CoordinationConfig } from '../coordination.config';

/** A person as one agency's alert wrote it: shown to analysts who may see every alert of the correlation. */
export interface WrittenPerson {
  alertId: string;
  agencyId: string;
  fullName: string;
  dateOfBirth: string;
}

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
  /**
   * A person correlation (kind person-name, held as a keyed hash): how each alert wrote the person, e.g.
   * «Рахимов Фаррух Саидович» and RAKHIMOV FARRUKH; only when no alert involved is withheld from the centre.
   */
  writtenForms?: WrittenPerson[];
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
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: CoordinationConfig,
  ) {}

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
    await this.addWrittenForms(items);
    return { items, nextCursor: rows.length === filter.limit ? items[items.length - 1].cursor : null };
  }

  /** The persons' written forms of the visible person correlations, from the alerts' latest stored content. */
  private async addWrittenForms(items: CorrelationView[]): Promise<void> {
    const persons = items.filter((item) => item.identifier?.kind === 'person-name');
    if (persons.length === 0) return;
    const alertIds = [...new Set(persons.flatMap((item) => item.alerts.map((a) => a.alertId.toLowerCase())))];
    const contents: { alert_id: string; subjects: unknown }[] = await this.dataSource.query(
      `SELECT DISTINCT ON (alert_id) alert_id, content->'subjects' AS subjects FROM coordination.alert_contents
       WHERE alert_id = ANY($1::text[]) ORDER BY alert_id, version DESC`,
      [alertIds],
    );
    const subjectsOf = new Map(contents.map((row) => [row.alert_id, row.subjects]));
    for (const item of persons) {
      const written: WrittenPerson[] = [];
      for (const alert of item.alerts) {
        const subjects = subjectsOf.get(alert.alertId.toLowerCase());
        if (!Array.isArray(subjects)) continue;
        for (const subject of subjects as Record<string, unknown>[]) {
          if (subject?.type !== 'person' || typeof subject.fullName !== 'string') continue;
          const dateOfBirth = typeof subject.dateOfBirth === 'string' ? subject.dateOfBirth : null;
          const key = personKey(subject.fullName, dateOfBirth);
          if (key && identifierKeyHash(this.config.IDENTIFIER_HASH_KEY, 'person-name', key) === item.identifier!.key)
            written.push({
              alertId: alert.alertId,
              agencyId: alert.agencyId,
              fullName: subject.fullName,
              dateOfBirth: dateOfBirth!,
            });
        }
      }
      item.writtenForms = written;
    }
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
