import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AlertContent } from '@hub/contracts/alert/alert-content';
import { ReferenceView, submissionErrors } from '@hub/contracts/policy';
import { FieldError } from '@hub/platform/errors';
import { AgencyEntity } from './reference.entities';
import { agencyRecord, sharingGroupRecord } from './reference.records';
import { AgencyRecord, SharingGroupRecord } from '@hub/contracts/reference';
import { RecentReads } from './recent-reads';
import { REFERENCE_READ_TTL_MS, ReferenceChanges } from './reference-changes';

export class GatewayReference {
  constructor(readonly view: ReferenceView) {}

  /** Domain rules (expiry, handling conditions, TLP/scope) and the distribution policy against our reference data. */
  /** `rooms`: the rooms the content names, read for this check (a room closes or changes members at any moment). */
  submissionErrors(content: AlertContent, sender: string, now: Date, rooms: ReferenceView['rooms'] = []): FieldError[] {
    return submissionErrors(content, sender, { ...this.view, rooms }, now);
  }
}

/**
 * The gateway's own agencies and sharing groups: both tables in one statement, reused for REFERENCE_READ_TTL_MS
 * (it is needed by every submission) and read again at once after a change made on this replica.
 */
@Injectable()
export class ReferenceSnapshot {
  private readonly reads = new RecentReads<'all', { records: ReferenceRecords; reference: GatewayReference }>(
    REFERENCE_READ_TTL_MS,
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    changes: ReferenceChanges,
  ) {
    changes.onChange(() => this.reads.clear());
  }

  async load(): Promise<GatewayReference> {
    return (await this.current()).reference;
  }

  /** The records themselves (with names): what an agency may address, for GET /v1/agencies. */
  async records(): Promise<ReferenceRecords> {
    return (await this.current()).records;
  }

  private current(): Promise<{ records: ReferenceRecords; reference: GatewayReference }> {
    return this.reads.get('all', async () => {
      const records = await this.read();
      return { records, reference: new GatewayReference(records) };
    });
  }

  private async read(): Promise<ReferenceRecords> {
    const rows: ReferenceRow[] = await this.dataSource.query(
      `SELECT 'agency' AS row_type, id, name, country, kind, active, NULL::text[] AS members, NULL::timestamptz AS expires_at, updated_at
         FROM gateway.agencies
       UNION ALL
       SELECT 'group', id, name, NULL, NULL, NULL, members, expires_at, updated_at FROM gateway.sharing_groups`,
    );
    const agencies: AgencyRecord[] = [];
    const sharingGroups: SharingGroupRecord[] = [];
    for (const row of rows) {
      if (row.row_type === 'agency') {
        agencies.push(
          agencyRecord({
            id: row.id,
            name: row.name,
            country: row.country!,
            kind: row.kind!,
            active: row.active!,
            updatedAt: row.updated_at,
          }),
        );
      } else {
        sharingGroups.push(
          sharingGroupRecord({
            id: row.id,
            name: row.name,
            members: row.members!,
            expiresAt: row.expires_at,
            updatedAt: row.updated_at,
          }),
        );
      }
    }
    return { agencies, sharingGroups };
  }
}

export interface ReferenceRecords {
  agencies: AgencyRecord[];
  sharingGroups: SharingGroupRecord[];
}

interface ReferenceRow {
  row_type: 'agency' | 'group';
  id: string;
  name: string;
  country: string | null;
  kind: AgencyEntity['kind'] | null;
  active: boolean | null;
  members: string[] | null;
  expires_at: Date | null;
  updated_at: Date;
}
